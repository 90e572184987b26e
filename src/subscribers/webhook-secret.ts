import { createHmac } from "node:crypto";

/**
 * The secret a public webhook subscriber's requests are signed with (`whsec_` and 43 base64url characters): derived
 * from Vigil's subscription key and the webhook's URL, so nothing more is stored, every node signs alike, and one
 * webhook's secret says nothing about another's. It is sent once, in the confirmation ping, which only the URL's
 * owner receives; changing the subscription key changes every webhook's secret.
 */
export function subscriberWebhookSecret(key: Uint8Array, url: string): string {
  return `whsec_${createHmac("sha256", key).update("vigil subscriber webhook secret\u0000").update(url).digest("base64url")}`;
}
