// The upload page's script: hands the upload component to the create form that fetched it, in the event
// upload-loader.ts waits for (its name is written there too: the two share no module, on purpose).
import { UploadPicture } from "./upload-picture.ts";

dispatchEvent(new CustomEvent("goodgreets:upload-picture", { detail: UploadPicture }));
