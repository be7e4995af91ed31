/**
 * The page a phone opens from the QR code. The token rides in the fragment, which browsers never send to a
 * server, so it stays out of access logs and Referer headers.
 */
export function uploadLinkUrl(uploadPageUrl: string, token: string): string {
  const url = new URL(uploadPageUrl);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}
