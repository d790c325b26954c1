// Subscriptions are served over WebSockets (graphql-transport-ws) by the
// broadcaster shards (src/subscriptions/), not by this HTTP server: these
// definitions are what each socket's subscribe is validated against.
export const subscriptionTypeDefs = /* GraphQL */ `
  type Subscription {
    "Every committed event, in log order; after = the last position seen, to resume."
    eventStream(aggregateType: String, eventType: String, after: String): Event
  }
`;
