// given(events).when(command, context).then(events) / .thenThrows(code)
import { expect } from "vitest";
import { evolveAll, type Decider, type DomainCommand, type DomainEvent } from "../../src/domain/shared/decider.ts";
import { DomainError } from "../../src/domain/shared/errors.ts";

export function deciderSpec<C extends DomainCommand, E extends DomainEvent, S, Ctx>(decider: Decider<C, E, S, Ctx>) {
  return {
    given(events: E[]) {
      return {
        when(command: C, context: Ctx = {} as Ctx) {
          const run = () => decider.decide(command, evolveAll(decider, decider.initialState(), events), context);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(code: string, details?: Record<string, unknown>) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown, "expected the command to be rejected").toBeInstanceOf(DomainError);
              expect((thrown as DomainError).code).toBe(code);
              if (details) expect((thrown as DomainError).details).toMatchObject(details);
            },
          };
        },
      };
    },
  };
}
