/** Fixed identity (DynamoDB Local accepts only alphanumeric access keys) of the embedded stack: every local client signs with these, the S3 fidelity layer verifies them. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
// Not frozen: SDK clients tag the credentials object they are given.
export const LOCAL_CREDENTIALS = { accessKeyId: 'pixelvaultlocal', secretAccessKey: 'pixelvaultlocalsecret' };
/** Loopback address for every local endpoint: virtual-host S3 names break on `localhost`. */
export const LOCAL_HOST = '127.0.0.1';
