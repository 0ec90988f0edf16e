/** Attribute values a span accepts (a subset of OpenTelemetry's). */
export type SpanAttributes = Record<string, string | number | boolean>;

/**
 * Spans around one request's steps, as the modules see them: no OpenTelemetry types here. Passed
 * explicitly (no global context manager), so several apps in one process never share state, and
 * with tracing off a step costs one function call.
 */
export interface SpanScope {
  /** Runs `fn` inside a child span named `name`; errors mark the span and propagate. */
  child<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T> | T): Promise<T>;
  setAttributes(attributes: SpanAttributes): void;
}

/** Tracing off: each step runs directly, with no extra promise or closure per step. */
export const NO_SPANS: SpanScope = {
  child: (_name, _attributes, fn) => Promise.resolve(fn()),
  setAttributes: () => undefined,
};

/**
 * `fn` in a child span of `spans`, or called directly when tracing is off: a synchronous step
 * then stays synchronous (a promise per step was an await, a microtask and garbage per request on
 * the predict path).
 */
export function inSpan<T>(
  spans: SpanScope,
  name: string,
  attributes: SpanAttributes,
  fn: () => Promise<T> | T,
): Promise<T> | T {
  return spans === NO_SPANS ? fn() : spans.child(name, attributes, fn);
}
