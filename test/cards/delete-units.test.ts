// What deleting a card removes beyond its row, with fakes for Scheduler, S3 and CloudFront: the order
// (origins before the edge), a picture's original before its variants, and every step that failed named
// for the operator while the others still run.
import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { type DeletedCard, removeDeletedCard } from "../../origin/cards/card-removal.ts";
import { pictureCachePaths } from "../../origin/edge-cache/card-paths.ts";

const card: DeletedCard = { id: "card1", signId: "sign1", status: "sent", uploadUrl: "/img/uploads/pic.jpg" };

function fakes(fail: { s3?: boolean; edge?: boolean; schedule?: boolean } = {}) {
  const events: string[] = [];
  const s3 = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      if (fail.s3) throw new Error("S3 is down");
      const name = command.constructor.name;
      if (name === "ListObjectsV2Command") {
        events.push(`list ${command.input.Prefix}`);
        return {
          Contents: [{ Key: "img/uploads/pic.jpg/w320.webp" }, { Key: "img/uploads/pic.jpg/w640.avif" }],
        };
      }
      const objects = (command.input.Delete as { Objects: { Key: string }[] }).Objects;
      events.push(`delete ${objects.map((object) => object.Key).join(",")}`);
      return {};
    },
  } as unknown as S3Client;
  return {
    events,
    dependencies: {
      schedules: {
        put: async () => {},
        remove: async (id: string) => {
          if (fail.schedule) throw new Error("Scheduler is down");
          events.push(`schedule ${id}`);
        },
      },
      uploads: { s3, bucket: "images" },
      edgeCache: {
        invalidate: async (paths: readonly string[]) => {
          if (fail.edge) throw new Error("TooManyInvalidationsInProgress");
          events.push(`invalidate ${paths.join(" ")}`);
        },
      },
    },
  };
}

describe("removing a deleted card's remains", () => {
  it("deletes the schedule and the picture (original first), then invalidates the edge", async () => {
    const { events, dependencies } = fakes();
    expect(await removeDeletedCard(dependencies, card)).toEqual([]);
    expect(events.filter((event) => !event.startsWith("schedule"))).toEqual([
      "delete img/uploads/pic.jpg",
      "list img/uploads/pic.jpg/",
      "delete img/uploads/pic.jpg/w320.webp,img/uploads/pic.jpg/w640.avif",
      `invalidate /api/cards/card1 /s/sign1 ${pictureCachePaths("/img/uploads/pic.jpg").join(" ")}`,
    ]);
    expect(events).toContain("schedule card1");
  });

  it("still invalidates when S3 failed, and names every step left over", async () => {
    const { events, dependencies } = fakes({ s3: true, schedule: true });
    const left = await removeDeletedCard(dependencies, card);
    expect(left.map((step) => [step.step, step.detail])).toEqual([
      ["schedule", "card-card1"],
      ["upload", "/img/uploads/pic.jpg"],
    ]);
    expect(events).toEqual([
      `invalidate /api/cards/card1 /s/sign1 ${pictureCachePaths("/img/uploads/pic.jpg").join(" ")}`,
    ]);
  });

  it("reports a refused invalidation with the paths to invalidate by hand", async () => {
    const { dependencies } = fakes({ edge: true });
    const left = await removeDeletedCard(dependencies, { ...card, status: "scheduled", uploadUrl: null });
    expect(left).toEqual([
      { step: "edge_cache", detail: "/s/sign1", error: "TooManyInvalidationsInProgress" },
    ]);
  });
});
