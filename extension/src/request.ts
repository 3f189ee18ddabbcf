import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Call the server extension at BASE_URL/gonka/ENDPOINT. The answer's `error` field (or the
 * failure to reach the Jupyter server) becomes the thrown Error's one-line message.
 */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'gonka', endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new Error(`Jupyter server unreachable: ${error}`);
  }
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // a non-JSON answer (a proxy's error page): reported by status below
  }
  if (!response.ok) {
    const reason = data?.error ?? data?.message ?? response.statusText;
    throw new Error(`${reason} (HTTP ${response.status})`);
  }
  return data as T;
}

export function post<T>(endpoint: string, body: unknown = {}): Promise<T> {
  return requestAPI<T>(endpoint, {
    method: 'POST',
    body: JSON.stringify(body)
  });
}
