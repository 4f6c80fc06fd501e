import { Inject, Injectable } from '@nestjs/common';
import { type AsyncApiSource, ServiceConfig, type SwaggerInfo } from '@puente/platform';
import { serviceAsyncApiDocument } from '@puente/contracts';
import { EventTransport } from './event-transport';
import { MESSAGING_OPTIONS, type MessagingModuleOptions } from './messaging-options';

/**
 * The service's AsyncAPI document (served by libs/platform at /docs/asyncapi.json): the topics
 * it declares to MessagingModule.forRoot that it publishes, and the ones its `@EventPattern`
 * handlers consume, as registered in this very process.
 */
@Injectable()
export class AsyncApiDocs implements AsyncApiSource {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    private readonly events: EventTransport,
    private readonly config: ServiceConfig,
  ) {}

  document(info: SwaggerInfo): Record<string, unknown> {
    return serviceAsyncApiDocument({
      service: this.config.serviceName,
      title: info.title,
      description: info.description,
      version: info.version ?? '0.1.0',
      node: this.config.PUENTE_NODE,
      declared: this.options.topics,
      consumed: this.events.consumedTopics(),
    });
  }
}
