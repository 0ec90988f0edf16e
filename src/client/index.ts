export {
  ModelgateClient,
  ModelgateApiError,
  ModelgateConnectionError,
  type ClientOptions,
  type Scope,
} from './client.js';
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
