/**
 * The person's half of the device-code flow, for tests: what someone does in a browser after `factory
 * login` printed a verification URL — open it, confirm the code, sign in with user and password on the
 * local issuer's forms. Plain HTTP with a cookie jar, following redirects the way a browser does.
 */

/** A browser's cookies, for following the issuer's forms without a browser. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The first form of a page: its action and hidden inputs. */
function formOf(html: string, base: string): { action: string; fields: URLSearchParams } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`the issuer's page has no form:\n${html.slice(0, 500)}`);
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name)
      fields.set(
        name,
        value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(+code)),
      );
  }
  return { action: new URL(form[1] ?? '', base).toString(), fields };
}

/**
 * Opens the verification URL (with the code in it), confirms the code and signs in. Resolves when the
 * issuer shows its success page; the CLI polling the token endpoint then gets its tokens.
 */
export async function completeDeviceSignIn(
  verificationUriComplete: string,
  username: string,
  password: string,
): Promise<void> {
  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}) => {
    let target = url;
    let request = init;
    for (let hops = 0; hops < 10; hops += 1) {
      const response = await fetch(target, {
        ...request,
        redirect: 'manual',
        headers: { ...(request.headers as Record<string, string>), cookie: jar.header() },
      });
      jar.store(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: target };
      target = new URL(location, target).toString();
      request = {};
    }
    throw new Error(`too many redirects from ${url}`);
  };
  const postForm = (url: string, fields: URLSearchParams) =>
    go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });

  // The verification page posts the code, the issuer asks to confirm it, then sends us to sign in.
  let step = await go(verificationUriComplete);
  for (let i = 0; i < 3 && !step.url.includes('/interaction/'); i += 1) {
    const { action, fields } = formOf(await step.response.text(), step.url);
    step = await postForm(action, fields);
  }
  if (!step.url.includes('/interaction/'))
    throw new Error(`the issuer did not ask to sign in: ${await step.response.text()}`);
  const login = formOf(await step.response.text(), step.url);
  login.fields.set('username', username);
  login.fields.set('password', password);
  const signedIn = await postForm(login.action, login.fields);
  if (signedIn.response.status !== 200)
    throw new Error(`sign-in as ${username} failed: ${await signedIn.response.text()}`);
}
