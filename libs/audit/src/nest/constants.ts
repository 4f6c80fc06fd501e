/** Metadata key of @Audited() options. */
export const AUDITED_METADATA = 'puente:audited';
/** Request header naming the purpose of a read or change when the endpoint does not fix it. */
export const PURPOSE_HEADER = 'x-purpose';
/** Problem type of a request to an audited endpoint without a valid purpose (400). */
export const PURPOSE_REQUIRED_PROBLEM = 'purpose-required';
