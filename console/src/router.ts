/**
 * Hash routes, so every page is a deep link the console function never has to know:
 * `#/instances/cri-abc123/rules`, `#/instances/cri-abc123/events/<event id>`, …
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'instances' }
  | { page: 'apiKeys' }
  | { page: 'rules'; instanceId: string }
  | { page: 'ruleNew'; instanceId: string }
  | { page: 'ruleEdit'; instanceId: string; ruleId: string }
  | { page: 'events'; instanceId: string }
  | { page: 'query'; instanceId: string }
  | { page: 'sources'; instanceId: string }
  | { page: 'operations'; instanceId: string }
  | { page: 'chatbots'; instanceId: string }
  | { page: 'trace'; instanceId: string; eventId: string };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  const [first, instanceId, section, id, action] = parts;
  if (first === 'api-keys') return { page: 'apiKeys' };
  if (first !== 'instances' || !instanceId) return { page: 'instances' };
  const instance = decode(instanceId) ?? '';
  if (section === 'rules' && id === 'new') return { page: 'ruleNew', instanceId: instance };
  if (section === 'rules' && id && action === 'edit') return { page: 'ruleEdit', instanceId: instance, ruleId: decode(id) ?? '' };
  if (section === 'events' && id) return { page: 'trace', instanceId: instance, eventId: decode(id) ?? '' };
  if (section === 'events') return { page: 'events', instanceId: instance };
  if (section === 'query') return { page: 'query', instanceId: instance };
  if (section === 'sources') return { page: 'sources', instanceId: instance };
  if (section === 'operations') return { page: 'operations', instanceId: instance };
  if (section === 'chatbots') return { page: 'chatbots', instanceId: instance };
  return { page: 'rules', instanceId: instance };
}

export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'instances':
      return '#/instances';
    case 'apiKeys':
      return '#/api-keys';
    case 'rules':
      return `#/instances/${e(route.instanceId)}/rules`;
    case 'ruleNew':
      return `#/instances/${e(route.instanceId)}/rules/new`;
    case 'ruleEdit':
      return `#/instances/${e(route.instanceId)}/rules/${e(route.ruleId)}/edit`;
    case 'events':
      return `#/instances/${e(route.instanceId)}/events`;
    case 'query':
      return `#/instances/${e(route.instanceId)}/query`;
    case 'sources':
      return `#/instances/${e(route.instanceId)}/sources`;
    case 'trace':
      return `#/instances/${e(route.instanceId)}/events/${e(route.eventId)}`;
    case 'operations':
      return `#/instances/${e(route.instanceId)}/operations`;
    case 'chatbots':
      return `#/instances/${e(route.instanceId)}/chatbots`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
