export const NODE_REGISTRY = 'puente:federation:NODE_REGISTRY';
export const EXCHANGE_WRITER = 'puente:federation:EXCHANGE_WRITER';
export const EXCHANGE_RECEIVER = 'puente:federation:EXCHANGE_RECEIVER';
