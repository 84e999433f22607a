/** Registry sources: POST/GET /v1/instances/{instanceId}/sources, GET/DELETE .../sources/{sourceId}. */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
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
    {
      createSource: operation(sourcesInputs.createSource, async ({ params: { instanceId }, body }) => {
        const created = await createSource(deps, instanceId, body);
        rt.logger.info('source created', { instanceId, sourceId: created.sourceId, kind: created.kind });
        return json(201, created, { location: `/v1/instances/${instanceId}/sources/${created.sourceId}` });
      }),
      listSources: operation(sourcesInputs.listSources, async ({ params }) => json(200, { sources: await listSources(deps, params.instanceId) })),
      getSource: operation(sourcesInputs.getSource, async ({ params }) => json(200, await getSource(deps, params.instanceId, params.sourceId))),
      deleteSource: operation(sourcesInputs.deleteSource, async ({ params }) => {
        await deleteSource(deps, params.instanceId, params.sourceId);
        rt.logger.info('source deleted', { instanceId: params.instanceId, sourceId: params.sourceId });
        return noContent();
      }),
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) => createSourcesHandler({ ...base, sources: sourceServiceDeps(base.config, base.db) }));
