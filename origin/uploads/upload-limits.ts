// What an upload may be, in one place for the API, S3's grant and the create page (browser-safe: no imports).

/** The most an upload may weigh; the presigned POST's content-length-range says the same to S3. */
export const maxUploadBytes = 10 * 1024 * 1024;

/** The picture formats the content check accepts, as a file input's `accept` names them. */
export const acceptedPictureTypes = "image/jpeg,image/png,image/webp,image/gif,image/avif";
