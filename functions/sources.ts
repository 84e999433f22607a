/** Registry sources: POST/GET /v1/instances/{instanceId}/sources, GET/DELETE .../sources/{sourceId}. */
import type { CreateSourceRequest } from '../shared/domain/sources';
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { sourcesInputs } from '../shared/http/inputs/sources';
import { json, noContent } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/wiring/base';
import { sourceServiceDeps } from '../shared/wiring/sources';
import { createSource, deleteSource, getSource, listSources } from '../shared/services/sources';

export function createSourcesHandler(rt: Pick<Runtime, 'logger' | 'authenticator' | 'sources'>): HttpHandler {
  const deps = rt.sources;
  return createHttpFunction(
    'sources',
    sourcesInputs,
    {
      createSource: async ({ params, body }) => {
        const instanceId = params.instanceId ?? '';
        const created = await createSource(deps, instanceId, body as CreateSourceRequest);
        rt.logger.info('source created', { instanceId, sourceId: created.sourceId, kind: created.kind });
        return json(201, created, { location: `/v1/instances/${instanceId}/sources/${created.sourceId}` });
      },
      listSources: async ({ params }) => json(200, { sources: await listSources(deps, params.instanceId ?? '') }),
      getSource: async ({ params }) => json(200, await getSource(deps, params.instanceId ?? '', params.sourceId ?? '')),
      deleteSource: async ({ params }) => {
        await deleteSource(deps, params.instanceId ?? '', params.sourceId ?? '');
        rt.logger.info('source deleted', { instanceId: params.instanceId, sourceId: params.sourceId });
        return noContent();
      },
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) => createSourcesHandler({ ...base, sources: sourceServiceDeps(base.config, base.db) }));
