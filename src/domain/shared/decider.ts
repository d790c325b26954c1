// An aggregate is a decider: pure functions over its commands, events and state.
// The generic command handler (src/commands/) loads, decides and appends for all.

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface DomainCommand<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command extends DomainCommand, Event extends DomainEvent, State, Context = undefined> {
  /** The stream type of the aggregate's events ("category", "product", ...). */
  aggregateType: string;
  /** Bump when State's shape changes: stored snapshots of older shapes are then ignored. */
  stateVersion: number;
  /** Current payload schema version of event types past version 1 (older ones are upcast on read). */
  eventSchemaVersions?: Record<string, number>;
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the events the command produces, or throws a DomainError. */
  decide(command: Command, state: State, context: Context): Event[];
}

export function evolveAll<Event extends DomainEvent, State>(
  decider: Pick<Decider<DomainCommand, Event, State, unknown>, "evolve">,
  state: State,
  events: readonly Event[],
): State {
  return events.reduce((current, event) => decider.evolve(current, event), state);
}
