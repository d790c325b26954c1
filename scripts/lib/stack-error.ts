/**
 * A failure the person starting the stack can fix (a port in use, a second
 * start, a damaged data directory). Entry scripts print its message as one
 * paragraph, without a stack trace.
 */
export class StackError extends Error {}
