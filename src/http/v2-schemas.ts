import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Open Inference Protocol (V2) REST bodies, as TypeBox schemas: they validate requests,
 * serialise responses and document the V2 routes in /openapi.json. Names follow the protocol's
 * spec (`docs/specs/open-inference-protocol/open_inference_rest.yaml`); the contract tests check answers against that
 * spec itself, not against these copies.
 */

/** `{"error": "..."}`: the protocol's error body, for every 4xx and 5xx V2 answer. */
export const V2ErrorSchema = Type.Object({ error: Type.String() }, { $id: 'V2Error', title: 'V2Error' });

/** A V2 route's success bodies plus the protocol's error body for every error status. */
export function v2Responses<T extends Record<number, TSchema>>(ok: T) {
  const error = Type.Ref('V2Error');
  return { ...ok, '4xx': error, '5xx': error };
}

export const V2LiveSchema = Type.Object({ live: Type.Boolean() });
export const V2ServerReadySchema = Type.Object({ ready: Type.Boolean() });

export const V2ServerMetadataSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  extensions: Type.Array(Type.String()),
});
export type V2ServerMetadata = Static<typeof V2ServerMetadataSchema>;

const V2TensorMetadataSchema = Type.Object({
  name: Type.String(),
  datatype: Type.String(),
  /** -1: a dimension of any size */
  shape: Type.Array(Type.Integer()),
});

export const V2ModelMetadataSchema = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(V2TensorMetadataSchema),
  outputs: Type.Array(V2TensorMetadataSchema),
});
export type V2ModelMetadata = Static<typeof V2ModelMetadataSchema>;

export const V2ModelReadySchema = Type.Object({
  name: Type.String(),
  version: Type.Optional(Type.String()),
  ready: Type.Boolean(),
});
export type V2ModelReady = Static<typeof V2ModelReadySchema>;

const Parameters = Type.Record(Type.String(), Type.Unknown());

const V2RequestInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    shape: Type.Array(Type.Integer({ minimum: 0, maximum: 100_000_000 }), { maxItems: 16 }),
    datatype: Type.String({ minLength: 1, maxLength: 16 }),
    parameters: Type.Optional(Parameters),
    /** row-major, flat or nested following `shape` */
    data: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const V2InferRequestSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 256 })),
    /** `routing_key`: sticky rollout assignment (as the X-Routing-Key header); others are ignored */
    parameters: Type.Optional(Parameters),
    inputs: Type.Array(V2RequestInputSchema, { minItems: 1, maxItems: 64 }),
    outputs: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 256 }), parameters: Type.Optional(Parameters) },
          { additionalProperties: false },
        ),
        // an empty list is not "every output" (that is leaving `outputs` out): it is refused
        { minItems: 1, maxItems: 64 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type V2InferRequest = Static<typeof V2InferRequestSchema>;

const V2ResponseOutputSchema = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer()),
  datatype: Type.String(),
  /** flat, row-major */
  data: Type.Array(Type.Unknown()),
});

export const V2InferResponseSchema = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.Optional(Type.String()),
  /** `artifact_sha256` of the answering version; `variant` during a rollout */
  parameters: Type.Object({
    artifact_sha256: Type.String(),
    variant: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('candidate')])),
  }),
  outputs: Type.Array(V2ResponseOutputSchema),
});
export type V2InferResponse = Static<typeof V2InferResponseSchema>;
