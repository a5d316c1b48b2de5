// Fills the designs table from the catalog (site/catalog/designs.ts, the one source of truth), upserting
// by slug in one statement; run after the migrations by the local stack and by the deploy.
import { designs } from "../../site/catalog/designs.ts";
import type { Database } from "../db/data-api.ts";

/** Returns how many designs were inserted or changed. */
export async function seedDesigns(database: Pick<Database, "query">): Promise<number> {
  const rows = await database.query(
    `INSERT INTO designs (slug, title, category, alt_text, image_key)
     SELECT slug, title, category, alt_text, image_key
     FROM json_to_recordset(:designs::json) AS d(slug text, title text, category text, alt_text text, image_key text)
     ON CONFLICT (slug) DO UPDATE SET title = excluded.title, category = excluded.category,
       alt_text = excluded.alt_text, image_key = excluded.image_key
     WHERE (designs.title, designs.category, designs.alt_text, designs.image_key)
       IS DISTINCT FROM (excluded.title, excluded.category, excluded.alt_text, excluded.image_key)
     RETURNING slug`,
    {
      designs: JSON.stringify(
        designs.map((design) => ({
          slug: design.slug,
          title: design.title,
          category: design.category,
          alt_text: design.altText,
          image_key: design.imageKey,
        })),
      ),
    },
  );
  return rows.length;
}
