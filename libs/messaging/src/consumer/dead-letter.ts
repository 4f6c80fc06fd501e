/** Dead letters of `topic` go to `<topic>.dlq`, created with the topic (DESIGN §4). */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
