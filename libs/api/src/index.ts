// Public surface of @baton/api: the REST application (Nest on Fastify) the
// api app serves and `npm start` composes with the worker.
export { API_PREFIX, createApiApp, type ApiAppOptions } from './api-app';
export { ApiModule } from './api.module';
