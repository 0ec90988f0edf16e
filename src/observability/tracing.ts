import {
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { createRequire } from 'node:module';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdk from '@opentelemetry/sdk-trace-base';
import type { BasicTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as SemConv from '@opentelemetry/semantic-conventions';
import type { SpanScope } from '../shared/spans.js';

export { NO_SPANS, type SpanScope } from '../shared/spans.js';

/**
 * The OpenTelemetry SDK and exporter load only when tracing is on: about 15 MB of resident memory
 * that a server without an OTLP endpoint never uses.
 */
const load = createRequire(import.meta.url);
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a valid W3C traceparent header (all-zero ids are invalid). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return m[1];
}

export interface TracingOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** An exporter of your own (tests use InMemorySpanExporter); exported synchronously. */
  exporter?: SpanExporter;
}

export class Tracing {
  readonly enabled: boolean;
  readonly #tracer: Tracer | undefined;
  readonly #provider: BasicTracerProvider | undefined;
  readonly #propagator: OtelCore.W3CTraceContextPropagator | undefined;

  constructor(options: TracingOptions) {
    this.enabled = options.exporter !== undefined || options.otlpEndpoint !== undefined;
    if (!this.enabled) return;
    const { W3CTraceContextPropagator } = load('@opentelemetry/core') as typeof OtelCore;
    const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = load(
      '@opentelemetry/sdk-trace-base',
    ) as typeof OtelSdk;
    const { resourceFromAttributes } = load('@opentelemetry/resources') as typeof OtelResources;
    const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = load(
      '@opentelemetry/semantic-conventions',
    ) as typeof SemConv;
    this.#propagator = new W3CTraceContextPropagator();
    const processor = options.exporter
      ? new SimpleSpanProcessor(options.exporter)
      : options.otlpEndpoint
        ? new BatchSpanProcessor(
            new (load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp).OTLPTraceExporter({
              url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`,
            }),
          )
        : undefined;
    if (processor) {
      this.#provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          [ATTR_SERVICE_NAME]: options.serviceName,
          [ATTR_SERVICE_VERSION]: options.serviceVersion,
        }),
        spanProcessors: [processor],
      });
      this.#tracer = this.#provider.getTracer('modelgate', options.serviceVersion);
    }
  }

  /** The server span of a request, child of the caller's `traceparent` when it sent one. */
  startRequest(
    name: string,
    headers: Record<string, unknown>,
    attributes: Attributes,
  ): RequestSpan | undefined {
    if (!this.#tracer || !this.#propagator) return undefined;
    const parent = this.#propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = this.#tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return new RequestSpan(this.#tracer, span, trace.setSpan(parent, span));
  }

  async shutdown(): Promise<void> {
    await this.#provider?.shutdown();
  }
}

export class RequestSpan implements SpanScope {
  constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
    private readonly ctx: Context,
  ) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /** `traceparent` of this request's span, for the response (and any outbound call). */
  traceparent(): string {
    const { traceId, spanId, traceFlags } = this.span.spanContext();
    return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }

  async child<T>(name: string, attributes: Attributes, fn: () => Promise<T> | T): Promise<T> {
    const span = this.tracer.startSpan(name, { attributes }, this.ctx);
    try {
      return await context.with(trace.setSpan(this.ctx, span), fn);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message?.slice(0, 200) });
      throw err;
    } finally {
      span.end();
    }
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  end(status: number): void {
    this.span.setAttribute('http.response.status_code', status);
    if (status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}
