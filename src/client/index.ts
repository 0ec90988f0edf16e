export {
  ModelgateClient,
  ModelgateApiError,
  ModelgateConnectionError,
  type ClientOptions,
  type Scope,
} from './client.js';
export { ModelgateLocalError, type LocalErrorCode } from './local-files.js';
export type {
  AliasMoveResponse,
  CreatedKeyBody,
  KeyBody,
  ModelDetailBody,
  ModelSummaryBody,
  PredictResponse,
  Problem,
  ReadyBody,
  RegisterResponse,
  VerifyResponse,
  VersionDetailBody,
} from '../http/schemas.js';
export type {
  V2InferRequest,
  V2InferResponse,
  V2ModelMetadata,
  V2ModelReady,
  V2ServerMetadata,
} from '../http/v2-schemas.js';
export type { GcResponse, LifecycleResponse } from '../http/lifecycle-schemas.js';
export type { DriftReportBody, EvaluationBody, ModelCardBody } from '../http/quality-schemas.js';
export type { WhoamiBody } from '../http/routes/whoami.js';
