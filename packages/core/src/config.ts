/** Reads a variable the deployment must set; a missing one is a deployment fault (a 500), never the caller's. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
