// Test-only entry point: boots the spec service through bootstrapService() in a child process.
import { bootstrapService } from '../bootstrap';
import { SPEC_SERVICE, widgetAppModule } from './widget.fixture';

void bootstrapService({
  service: SPEC_SERVICE,
  module: widgetAppModule(),
  title: 'Platform spec service',
  description: 'Started by bootstrap.spec.ts',
}).then(async (app) => {
  process.stdout.write(`READY ${await app.getUrl()}\n`);
});
