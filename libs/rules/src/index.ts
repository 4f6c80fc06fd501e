export * from './expression';
export * from './evaluate';
