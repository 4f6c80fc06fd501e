export * from './json-schema';
export * from './document';
export * from './service-document';
