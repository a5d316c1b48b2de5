// The create form's "own picture" choice: its value among the designs and the one label every page uses
// for it (the form's option, the upload page's pointer to it, the loader's advice when it fails).

/** The Design select's value for the sender's own picture; no design has this slug. */
export const ownPicture = "your-own-picture";

/** The option's words, as the visitor sees them in the Design select. */
export const ownPictureLabel = "Your own picture (upload)";
