import { testSystem } from '../../../../tests/helpers/system';
import { partnerApiKeyHeader } from '../../../../tests/helpers/identity';
it('debug', async () => {
  console.log(JSON.stringify(testSystem().params), partnerApiKeyHeader());
  const r = await fetch(`${testSystem().url}/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...partnerApiKeyHeader() }, body: 'grant_type=client_credentials&client_id=x&client_secret=y' });
  console.log(r.status, await r.text());
});
