import { devKey, devRegistryConfig, NodeRegistry, type PeerConfig, publicKeyOf, type RegistryConfig } from '../node-registry';

/** A development registry of `node`, with `change` applied to a copy of its configuration. */
export function registryOf(node: string, change: (config: RegistryConfig) => void = () => undefined): NodeRegistry {
  const config = structuredClone(devRegistryConfig(node, { NODE_ENV: 'test' }));
  change(config);
  return new NodeRegistry(config);
}

/** The development public keys of `node`, agreeing every kind both ways. */
export function devPeer(node: string, change: Partial<PeerConfig> = {}): PeerConfig {
  return {
    signingKeys: [publicKeyOf(devKey(node, 'sig'))],
    encryptionKeys: [publicKeyOf(devKey(node, 'enc'))],
    send: ['match-keys', 'match-keys-retraction'],
    receive: ['match-keys', 'match-keys-retraction'],
    ...change,
  };
}
