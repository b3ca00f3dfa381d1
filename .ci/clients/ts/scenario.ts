// A scenario run by a client that no one here wrote: types generated from
// openapi.yaml (and, for the control plane under /__fake/, from
// fake/controlplane.yaml) by openapi-typescript, requests made by openapi-fetch, against
// the pixiebrix-fake binary (started here on a free loopback port and stopped
// at the end). Usage: node out/scenario.js <path to the binary>
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import createClient from "openapi-fetch";
import type { paths } from "./api.gen.js";
import type { paths as controlPaths } from "./control.gen.js";

const acmeID = "0a000000-0000-4000-8000-000000000001";
const globexID = "0b000000-0000-4000-8000-000000000002";
const supportGroupID = "0a000000-0000-4000-8000-00000000a001";
const v2 = "application/json; version=2.0";
const acmeMembers = 32;
const notEligible = "This email is neither a member of the team nor in one of the team's verified domains.";

let passed = 0;
let failed = 0;

// check records one assertion; a failure is printed and counted, never thrown.
function check(name: string, ok: boolean, detail?: unknown): void {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
}

function equal(name: string, got: unknown, want: unknown): void {
  check(name, isDeepStrictEqual(got, want), { got, want });
}

// must returns a value the rest of the scenario depends on, or stops it.
function must<T>(name: string, value: T | undefined | null): T {
  if (value === undefined || value === null) {
    check(name, false, "missing");
    throw new Error(`${name}: the scenario cannot go on`);
  }
  return value;
}

// links maps each rel of a Link header to the query string of its URL.
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(", ")) {
    const m = /^<([^>]+)>; rel="([a-z]+)"$/.exec(part);
    if (!m || m[1] === undefined || m[2] === undefined) {
      out["malformed"] = part;
      continue;
    }
    out[m[2]] = new URL(m[1]).search.replace(/^\?/, "");
  }
  return out;
}

// The binary's log, printed only when something failed.
let log = "";

// start runs the binary on a free port and reads the URL from its ready line.
async function start(binary: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(binary, ["--addr", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the fake exited (${code}) before its ready line`))),
  );
  const ready = (async () => {
    for await (const line of lines) {
      const msg = JSON.parse(line) as { ready?: boolean; url?: string };
      if (msg.ready && msg.url) return msg.url;
    }
    throw new Error("the fake closed stdout without a ready line");
  })();
  const url = await Promise.race([ready, exited]);
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const code = await done;
  check("binary/stops-cleanly-on-SIGTERM", code === 0, { code });
}

async function scenario(baseUrl: string): Promise<void> {
  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: "Token acme-admin-token", Accept: v2 },
  });

  // Health serves version 1.0 only.
  {
    const { data, response } = await api.GET("/api/health/", { headers: { Accept: "application/json" } });
    equal("health/status", [response.status, data?.status], [200, "ok"]);
    const v2health = await api.GET("/api/health/");
    equal("health/406-at-v2", [v2health.response.status, v2health.error?.detail], [406, 'Invalid version in "Accept" header.']);
  }

  // Me.
  {
    const { data, response } = await api.GET("/api/me/");
    equal("me/status", response.status, 200);
    equal("me/who", [data?.email, data?.name, data?.organization?.id], ["ada@acme.test", "Ada Admin", acmeID]);
    equal("me/groups", data?.group_memberships?.map((g) => g.name), ["Support Agents"]);
  }

  // Teams.
  {
    const { data, response } = await api.GET("/api/organizations/");
    equal("organizations/list", data?.map((o) => [o.id, o.name, o.members?.length]), [[acmeID, "Acme Corp", acmeMembers]]);
    equal("organizations/list/X-Total-Count", response.headers.get("X-Total-Count"), "1");
    const hidden = await api.GET("/api/organizations/{organization_pk}/", { params: { path: { organization_pk: globexID } } });
    equal("organizations/error/404-other-team", [hidden.response.status, hidden.error?.detail], [404, "Not found."]);
  }

  // Memberships, paginated.
  {
    const { data, response } = await api.GET("/api/organizations/{organization_pk}/memberships/", {
      params: { path: { organization_pk: acmeID }, query: { page: 2, page_size: 5 } },
    });
    equal("memberships/page-2/status", response.status, 200);
    equal("memberships/page-2/ids", data?.map((m) => m.id), [6, 7, 8, 9, 10]);
    equal("memberships/page-2/X-Total-Count", response.headers.get("X-Total-Count"), String(acmeMembers));
    equal("memberships/page-2/Link", links(response.headers.get("Link")), {
      first: "page_size=5",
      prev: "page_size=5",
      next: "page=3&page_size=5",
      last: "page=7&page_size=5",
    });
    const managers = await api.GET("/api/organizations/{organization_pk}/memberships/", {
      params: { path: { organization_pk: acmeID }, query: { q: "max@" } },
    });
    equal("memberships/filter-q", managers.data?.map((m) => [m.user?.email, m.role]), [["max@acme.test", 5]]);
  }

  // The published schema's team settings, as the default fixture sets them.
  {
    const { data } = await api.GET("/api/me/");
    equal(
      "me/published-fields",
      [
        data?.organization?.is_enterprise,
        data?.organization?.control_room?.url,
        data?.organization?.theme?.whitelabel_theme_name,
        data?.organization_memberships?.[0]?.is_deployment_manager,
        data?.enforce_update_millis,
        data?.partner?.name,
      ],
      [true, "https://acmecorp.my.automationanywhere.digital", "default", true, 86400000, "Automation Anywhere"],
    );
    const team = await api.GET("/api/organizations/{organization_pk}/", { params: { path: { organization_pk: acmeID } } });
    equal(
      "organizations/published-fields",
      [team.data?.enable_invitations, team.data?.session_idle_timeout_minutes, team.data?.ai_default_chat_copilot],
      [true, 480, true],
    );
  }

  // Form bodies, as requests.post(url, data=...) and curl -F send them.
  {
    const mel = { params: { path: { id: 4 } } };
    const form = await api.PATCH("/api/memberships/{id}/", {
      ...mel,
      body: { role: 5 },
      bodySerializer: (body) => new URLSearchParams({ role: String(body?.role) }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    equal("memberships/form-patch", [form.response.status, form.data?.role], [200, 5]);
    const multipart = await api.PATCH("/api/memberships/{id}/", {
      ...mel,
      body: { role: 3 },
      bodySerializer: (body) => {
        const parts = new FormData();
        parts.append("role", String(body?.role));
        return parts;
      },
    });
    equal("memberships/multipart-patch", [multipart.response.status, multipart.data?.role], [200, 3]);
    const group = await api.POST("/api/organizations/{organization_pk}/groups/", {
      params: { path: { organization_pk: acmeID } },
      body: { name: "TS Form Group" },
      bodySerializer: (body) => new URLSearchParams({ name: body.name }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    equal("groups/form-create", [group.response.status, group.data?.name], [201, "TS Form Group"]);
    const restored = await api.PATCH("/api/memberships/{id}/", { ...mel, body: { role: 1 } });
    equal("memberships/json-patch", restored.data?.role, 1);
    const groupID = must("groups/form-create/id", group.data?.id);
    const deleted = await api.DELETE("/api/groups/{id}/", { params: { path: { id: groupID } } });
    equal("groups/form-create/delete", deleted.response.status, 204);
  }

  // A group: create, add members, replace them, delete one, delete the group.
  const created = await api.POST("/api/organizations/{organization_pk}/groups/", {
    params: { path: { organization_pk: acmeID } },
    body: { name: "TS Client Group" },
  });
  equal("groups/create", [created.response.status, created.data?.name, created.data?.num_members], [201, "TS Client Group", 0]);
  const groupID = must("groups/create/id", created.data?.id);
  const memberships = { params: { path: { group_pk: groupID } } };

  {
    const duplicate = await api.POST("/api/organizations/{organization_pk}/groups/", {
      params: { path: { organization_pk: acmeID } },
      body: { name: "TS Client Group" },
    });
    equal("groups/error/400-duplicate-name", [duplicate.response.status, duplicate.error], [
      400,
      { name: ["A group with this name already exists in this team."] },
    ]);
  }

  const added = await api.POST("/api/groups/{group_pk}/memberships/", {
    ...memberships,
    body: [{ email: "ada@acme.test" }, { email: "max@acme.test" }, { email: "future.hire@acme.test" }],
  });
  equal("group-memberships/add/status", added.response.status, 201);
  const addedList = Array.isArray(added.data) ? added.data : [];
  equal("group-memberships/add/emails", addedList.map((m) => [m.email, m.user === null]), [
    ["ada@acme.test", false],
    ["max@acme.test", false],
    ["future.hire@acme.test", true],
  ]);
  const adaMembership = must("group-memberships/add/ada-id", addedList[0]?.id);

  {
    const bad = await api.POST("/api/groups/{group_pk}/memberships/", {
      ...memberships,
      body: [{ email: "mel@acme.test" }, { email: "someone@elsewhere.test" }],
    });
    equal("group-memberships/error/400-per-item", [bad.response.status, bad.error], [400, [{}, { email: [notEligible] }]]);
  }

  const replaced = await api.PUT("/api/groups/{group_pk}/memberships/", {
    ...memberships,
    body: [{ email: "ada@acme.test" }, { email: "mel@acme.test" }],
  });
  equal("group-memberships/replace", [replaced.response.status, replaced.data?.map((m) => m.email)], [
    200,
    ["ada@acme.test", "mel@acme.test"],
  ]);
  equal("group-memberships/replace/keeps-ada's-id", replaced.data?.[0]?.id, adaMembership);

  {
    const del = await api.DELETE("/api/groups/{group_pk}/memberships/{id}/", {
      params: { path: { group_pk: groupID, id: adaMembership } },
    });
    equal("group-memberships/delete", del.response.status, 204);
    const list = await api.GET("/api/groups/{group_pk}/memberships/", memberships);
    equal("group-memberships/after-delete", list.data?.map((m) => m.email), ["mel@acme.test"]);
    equal("group-memberships/after-delete/X-Total-Count", list.response.headers.get("X-Total-Count"), "1");
    const again = await api.DELETE("/api/groups/{group_pk}/memberships/{id}/", {
      params: { path: { group_pk: groupID, id: adaMembership } },
    });
    equal("group-memberships/error/404-deleted", [again.response.status, again.error?.detail], [404, "Not found."]);
  }

  {
    const del = await api.DELETE("/api/groups/{id}/", { params: { path: { id: groupID } } });
    equal("groups/delete", del.response.status, 204);
    const gone = await api.GET("/api/groups/{id}/", { params: { path: { id: groupID } } });
    equal("groups/error/404-deleted", [gone.response.status, gone.error?.detail], [404, "Not found."]);
  }

  // A campaign: create, rename, upsert members, replace them.
  const campaign = await api.POST("/api/organizations/{organization_pk}/campaigns/", {
    params: { path: { organization_pk: acmeID } },
    body: { name: "TS Beta" },
  });
  equal("campaigns/create", [campaign.response.status, campaign.data?.name], [201, "TS Beta"]);
  const campaignID = must("campaigns/create/id", campaign.data?.id);
  const campaignPath = { params: { path: { organization_pk: acmeID, id: campaignID } } };
  const membersPath = { params: { path: { organization_pk: acmeID, campaign_pk: campaignID } } };

  {
    const renamed = await api.PATCH("/api/organizations/{organization_pk}/campaigns/{id}/", {
      ...campaignPath,
      body: { name: "TS Beta Launch" },
    });
    equal("campaigns/patch", [renamed.response.status, renamed.data?.name], [200, "TS Beta Launch"]);
    const taken = await api.PATCH("/api/organizations/{organization_pk}/campaigns/{id}/", {
      ...campaignPath,
      body: { name: "Q1 Rollout" },
    });
    equal("campaigns/error/400-taken-name", [taken.response.status, taken.error], [
      400,
      { name: ["A campaign with this name already exists in this team."] },
    ]);
  }

  {
    const first = await api.POST("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", {
      ...membersPath,
      body: [
        { email: "ada@acme.test", data: { Location: "Berlin" } },
        { email: "new.hire@acme.test", data: {} },
      ],
    });
    const firstList = Array.isArray(first.data) ? first.data : [];
    equal("campaign-members/add", [first.response.status, firstList.map((m) => [m.email, m.data])], [
      201,
      [
        ["ada@acme.test", { Location: "Berlin" }],
        ["new.hire@acme.test", {}],
      ],
    ]);
    const upsert = await api.POST("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", {
      ...membersPath,
      body: { email: "ada@acme.test", data: { Location: "Paris" } },
    });
    const single = upsert.data && !Array.isArray(upsert.data) ? upsert.data : undefined;
    equal("campaign-members/upsert", [upsert.response.status, single?.id, single?.data], [201, firstList[0]?.id, { Location: "Paris" }]);
    const list = await api.GET("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", membersPath);
    equal("campaign-members/list", list.data?.map((m) => [m.email, m.data]), [
      ["ada@acme.test", { Location: "Paris" }],
      ["new.hire@acme.test", {}],
    ]);
    equal("campaign-members/list/X-Total-Count", list.response.headers.get("X-Total-Count"), "2");
    const replaced = await api.PUT("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", {
      ...membersPath,
      body: [{ email: "mel@acme.test", data: { Team: "Support" } }],
    });
    equal("campaign-members/replace", [replaced.response.status, replaced.data?.map((m) => [m.email, m.account?.name])], [
      200,
      [["mel@acme.test", "Mel Member"]],
    ]);
    const bad = await api.POST("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", {
      ...membersPath,
      body: [{ email: "mel@acme.test", data: {} }, { email: "nobody@elsewhere.test", data: {} }],
    });
    equal("campaign-members/error/400-per-item", [bad.response.status, bad.error], [400, [{}, { email: [notEligible] }]]);
    const after = await api.GET("/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", membersPath);
    equal("campaign-members/error/nothing-written", after.data?.map((m) => m.email), ["mel@acme.test"]);
  }

  {
    const missing = await api.GET("/api/organizations/{organization_pk}/campaigns/{id}/", {
      params: { path: { organization_pk: acmeID, id: "0a000000-0000-4000-8000-00000000cfff" } },
    });
    equal("campaigns/error/404-unknown", [missing.response.status, missing.error?.detail], [404, "Not found."]);
  }

  // Teams' lifecycle, member detail and the caller's own account (issue 11, "teams").
  {
    const team = await api.POST("/api/organizations/", { body: { name: "TS Team", scope: "@ts-team" } });
    equal("organizations/create", [team.response.status, team.data?.name, team.data?.members?.[0]?.role], [201, "TS Team", 2]);
    const teamPath = { params: { path: { organization_pk: must("organizations/create/id", team.data?.id) } } };
    const renamed = await api.PATCH("/api/organizations/{organization_pk}/", { ...teamPath, body: { name: "TS Team 2", enforce_update_millis: 60000 } });
    equal("organizations/partial-update", [renamed.response.status, renamed.data?.name, renamed.data?.enforce_update_millis], [200, "TS Team 2", 60000]);
    const form = await api.PATCH("/api/organizations/{organization_pk}/", {
      ...teamPath,
      body: { session_idle_timeout_minutes: 15 },
      bodySerializer: (body) => new URLSearchParams({ session_idle_timeout_minutes: String(body?.session_idle_timeout_minutes) }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    equal("organizations/form-patch", [form.response.status, form.data?.session_idle_timeout_minutes], [200, 15]);
    const gone = await api.DELETE("/api/organizations/{organization_pk}/", teamPath);
    equal("organizations/destroy", gone.response.status, 204);
    const after = await api.GET("/api/organizations/{organization_pk}/", teamPath);
    equal("organizations/destroy/404", after.response.status, 404);
    const enterprise = await api.DELETE("/api/organizations/{organization_pk}/", { params: { path: { organization_pk: acmeID } } });
    equal("organizations/destroy/enterprise", [enterprise.response.status, enterprise.error?.detail], [403, "Enterprise teams cannot be deleted."]);

    const me = await api.GET("/api/me/");
    const adaID = must("me/id", me.data?.id);
    const member = { params: { path: { organization_pk: acmeID, id: adaID } } };
    const detail = await api.GET("/api/organizations/{organization_pk}/members/{id}/", member);
    equal("members/detail", [detail.response.status, detail.data?.email, detail.data?.membership?.role, detail.data?.groups.map((g) => g.group_name)],
      [200, "ada@acme.test", 2, ["Support Agents"]]);
    const cache = await api.DELETE("/api/organizations/{organization_pk}/members/{id}/cache/", member);
    equal("members/cache", cache.response.status, 204);

    const token = await api.GET("/api/me/token/");
    equal("me/token", token.data?.token, "acme-admin-token");
    const principals = await api.GET("/api/me/partner-principals/");
    equal("me/partner-principals", principals.data?.map((p) => p.control_room_url), ["https://acmecorp.my.automationanywhere.digital"]);
    const settings = await api.PATCH("/api/me/settings/webextension/", { body: { text_selection_menu_orientation: "vertical" } });
    equal("me/extension-settings/patch", [settings.response.status, settings.data?.text_selection_menu_orientation], [200, "vertical"]);
    const read = await api.GET("/api/me/settings/webextension/");
    equal("me/extension-settings/get", read.data?.text_selection_menu_orientation, "vertical");
    const milestone = await api.POST("/api/me/milestones/", { body: { key: "ts_run", metadata: { n: 1 } } });
    equal("me/milestones/create", [milestone.response.status, milestone.data?.key], [201, "ts_run"]);
    const milestones = await api.GET("/api/me/milestones/");
    equal("me/milestones/list", milestones.data?.map((m) => m.key), ["ts_run"]);

    // Sam deletes his account: his token is refused at once.
    const sam = createClient<paths>({ baseUrl, headers: { Authorization: "Token sam-token", Accept: v2 } });
    const deleted = await sam.DELETE("/api/me/");
    equal("me/destroy", deleted.response.status, 204);
    const refused = await sam.GET("/api/me/");
    equal("me/destroy/token-refused", [refused.response.status, refused.error?.detail], [401, "Invalid token."]);
  }

  // Service accounts, deployment keys and the audit trail (keys).
  {
    const team = { params: { path: { organization_pk: acmeID } } };
    const sa = await api.POST("/api/organizations/{organization_pk}/serviceaccounts/", { ...team, body: { name: "TS bot", role: 5 } });
    equal("serviceaccounts/create", [sa.response.status, sa.data?.name, sa.data?.role, sa.data?.token?.length], [201, "TS bot", 5, 40]);
    const saID = must("serviceaccounts/create/id", sa.data?.id);
    const bot = createClient<paths>({ baseUrl, headers: { Authorization: `Token ${sa.data?.token}`, Accept: v2 } });
    const botMe = await bot.GET("/api/me/");
    equal("serviceaccounts/token-authenticates", [botMe.data?.id, botMe.data?.service_account], [saID, true]);
    const list = await api.GET("/api/organizations/{organization_pk}/serviceaccounts/", team);
    equal("serviceaccounts/list", list.data?.map((a) => [a.name, "token" in a]), [["Sync Bot", false], ["TS bot", false]]);
    const one = await api.GET("/api/organizations/{organization_pk}/serviceaccounts/{id}/", {
      params: { path: { organization_pk: acmeID, id: saID } },
    });
    equal("serviceaccounts/retrieve", [one.data?.name, one.data?.role], ["TS bot", 5]);
    const gone = await api.DELETE("/api/organizations/{organization_pk}/serviceaccounts/{id}/", {
      params: { path: { organization_pk: acmeID, id: saID } },
    });
    equal("serviceaccounts/delete", gone.response.status, 204);
    const revoked = await bot.GET("/api/me/");
    equal("serviceaccounts/token-revoked", [revoked.response.status, revoked.error?.detail], [401, "Invalid token."]);

    const key = await api.POST("/api/organizations/{organization_pk}/deployment-keys/", { ...team, body: { name: "TS key" } });
    equal("deployment-keys/create", [key.response.status, key.data?.name, key.data?.token?.length], [201, "TS key", 40]);
    const keyID = must("deployment-keys/create/id", key.data?.id);
    const keys = await api.GET("/api/organizations/{organization_pk}/deployment-keys/", team);
    equal("deployment-keys/list", keys.data?.map((k) => k.name), ["Acme Deployment Key", "TS key"]);
    const keyOne = await api.GET("/api/organizations/{organization_pk}/deployment-keys/{id}/", {
      params: { path: { organization_pk: acmeID, id: keyID } },
    });
    equal("deployment-keys/retrieve-shows-token", keyOne.data?.token, key.data?.token);
    const keyGone = await api.DELETE("/api/organizations/{organization_pk}/deployment-keys/{id}/", {
      params: { path: { organization_pk: acmeID, id: keyID } },
    });
    equal("deployment-keys/delete", keyGone.response.status, 204);

    const trail = await api.GET("/api/audit/organizations/{id}/", { params: { path: { id: acmeID }, query: { page_size: 3 } } });
    equal(
      "audit/organization/newest-first",
      trail.data?.map((e) => [e.action_type, e.actor?.email]),
      [
        ["deployment_key.deleted", "ada@acme.test"],
        ["deployment_key.created", "ada@acme.test"],
        ["service_account.deleted", "ada@acme.test"],
      ],
    );
    const groupTrail = await api.GET("/api/audit/groups/{id}/", { params: { path: { id: supportGroupID } } });
    equal("audit/group", [groupTrail.response.status, groupTrail.data?.every((e) => e.target_object.id === supportGroupID)], [200, true]);
  }

  // The operations no step above calls, each once: a membership read,
  // replaced and removed; the team's groups listed; a group replaced and
  // renamed; a campaign deleted.
  {
    const rae = { params: { path: { id: 5 } } };
    const one = await api.GET("/api/memberships/{id}/", rae);
    equal("memberships/retrieve", [one.response.status, one.data?.user?.email, one.data?.role], [200, "rae@acme.test", 4]);
    const replaced = await api.PUT("/api/memberships/{id}/", { ...rae, body: { role: 1 } });
    equal("memberships/update", [replaced.response.status, replaced.data?.role], [200, 1]);
    const removed = await api.DELETE("/api/memberships/{id}/", rae);
    const gone = await api.GET("/api/memberships/{id}/", rae);
    equal("memberships/destroy", [removed.response.status, gone.response.status], [204, 404]);

    const team = { params: { path: { organization_pk: acmeID } } };
    const groups = await api.GET("/api/organizations/{organization_pk}/groups/", team);
    equal("groups/list", [groups.response.status, groups.data?.some((g) => g.id === supportGroupID)], [200, true]);
    const made = await api.POST("/api/organizations/{organization_pk}/groups/", { ...team, body: { name: "TS Renamed" } });
    const group = { params: { path: { id: must("groups/create/id", made.data?.id) } } };
    const put = await api.PUT("/api/groups/{id}/", { ...group, body: { name: "TS Replaced" } });
    equal("groups/update", [put.response.status, put.data?.name], [200, "TS Replaced"]);
    const patched = await api.PATCH("/api/groups/{id}/", { ...group, body: { name: "TS Patched" } });
    equal("groups/partial-update", [patched.response.status, patched.data?.name], [200, "TS Patched"]);
    await api.DELETE("/api/groups/{id}/", group);

    const campaign = await api.POST("/api/organizations/{organization_pk}/campaigns/", { ...team, body: { name: "TS Doomed" } });
    const doomed = { params: { path: { organization_pk: acmeID, id: must("campaigns/create/id", campaign.data?.id) } } };
    const deleted = await api.DELETE("/api/organizations/{organization_pk}/campaigns/{id}/", doomed);
    const after = await api.GET("/api/organizations/{organization_pk}/campaigns/{id}/", doomed);
    equal("campaigns/destroy", [deleted.response.status, after.response.status], [204, 404]);
  }
}

// The control plane through its own generated client: reset, inject a fault,
// verify a request count and an expectation.
async function controlPlane(baseUrl: string): Promise<void> {
  const control = createClient<controlPaths>({ baseUrl });
  const api = createClient<paths>({ baseUrl, headers: { Authorization: "Token acme-admin-token", Accept: v2 } });
  const campaignsPath = { params: { path: { organization_pk: acmeID } } };

  const reset = await control.POST("/__fake/reset");
  equal("control/reset", reset.response.status, 204);
  const campaigns = await api.GET("/api/organizations/{organization_pk}/campaigns/", campaignsPath);
  equal("control/reset/scenario-campaign-gone", campaigns.data?.some((c) => c.name === "TS Beta Launch"), false);

  const fault = await control.POST("/__fake/faults", {
    body: { method: "GET", path: "/api/organizations/{organization_pk}/campaigns/", kind: "status", status: 503, times: 1 },
  });
  equal("control/fault/added", [fault.response.status, fault.data?.kind, fault.data?.fired], [201, "status", 0]);
  const failed = await api.GET("/api/organizations/{organization_pk}/campaigns/", campaignsPath);
  equal("control/fault/fires-once", failed.response.status, 503);
  const recovered = await api.GET("/api/organizations/{organization_pk}/campaigns/", campaignsPath);
  equal("control/fault/then-expires", recovered.response.status, 200);

  const counted = await control.GET("/__fake/requests/count", { params: { query: { operation_id: "listCampaigns" } } });
  equal("control/count", [counted.response.status, counted.data?.count], [200, 3]);
  const failures = await control.GET("/__fake/requests/count", {
    params: { query: { path: "/api/organizations/{organization_pk}/campaigns/", status: 503 } },
  });
  equal("control/count/503", failures.data?.count, 1);
  const typo = await control.GET("/__fake/requests/count", { params: { query: { operation_id: "listCampaign" } } });
  equal("control/count/unknown-operation-is-400", [typo.response.status, typo.error !== undefined], [400, true]);

  const met = await control.POST("/__fake/requests/expect", {
    body: { operation_id: "listCampaigns", status: 200, count: 2 },
  });
  equal("control/expect/met", [met.response.status, met.data?.count], [200, 2]);
  const unmet = await control.POST("/__fake/requests/expect", {
    body: { method: "POST", path: "/api/organizations/{organization_pk}/campaigns/", count: 1 },
  });
  const unmetBody = unmet.error as { non_field_errors?: string[]; near_misses?: string[] } | undefined;
  equal("control/expect/unmet", [unmet.response.status, unmetBody?.non_field_errors?.length, unmetBody?.near_misses?.length], [400, 1, 3]);
}

// Invitations, a user in no team, campaign e-mail jobs and the outbox: an
// admin invites, the invitee (made through the control plane) accepts with
// their own token, and the outbox holds the e-mails.
async function invitations(baseUrl: string): Promise<void> {
  const control = createClient<controlPaths>({ baseUrl });
  const api = createClient<paths>({ baseUrl, headers: { Authorization: "Token acme-admin-token", Accept: v2 } });
  const teamPath = { params: { path: { organization_pk: acmeID } } };

  const made = await api.POST("/api/organizations/{organization_pk}/invitations/", {
    ...teamPath,
    body: [{ email: "ts.hire@acme.test", role: 5 }, { email: "ts.gone@acme.test" }],
  });
  const list = made.data as { id?: string; role: number }[] | undefined;
  equal("invitations/create", [made.response.status, list?.map((i) => i.role)], [201, [5, 4]]);
  const hireID = must("invitations/create/id", list?.[0]?.id);
  const goneID = must("invitations/create/id-2", list?.[1]?.id);
  const again = await api.POST("/api/organizations/{organization_pk}/invitations/", { ...teamPath, body: { email: "TS.HIRE@acme.test" } });
  equal("invitations/error/already-invited", [again.response.status, again.error], [400, { email: ["This email has already been invited to the team."] }]);
  const revoked = await api.DELETE("/api/organizations/{organization_pk}/invitations/{id}/", {
    params: { path: { organization_pk: acmeID, id: goneID } },
  });
  equal("invitations/revoke", revoked.response.status, 204);
  const pending = await api.GET("/api/organizations/{organization_pk}/invitations/", teamPath);
  equal("invitations/list", pending.data?.map((i) => i.email), ["ts.hire@acme.test"]);

  const user = await control.POST("/__fake/users", { body: { email: "ts.hire@acme.test", name: "TS Hire" } });
  const token = must("control/users/token", user.data?.token);
  const hire = createClient<paths>({ baseUrl, headers: { Authorization: `Token ${token}`, Accept: v2 } });
  const mine = await hire.GET("/api/invitations/me/");
  equal("invitations/me", mine.data?.map((i) => i.id), [hireID]);
  const accepted = await hire.POST("/api/invitations/{id}/accept/", { params: { path: { id: hireID } } });
  equal("invitations/accept", [accepted.response.status, accepted.data?.role], [201, 5]);
  const rejected = await hire.POST("/api/invitations/{id}/reject/", { params: { path: { id: hireID } } });
  equal("invitations/reject/gone", rejected.response.status, 404);
  const members = await api.GET("/api/organizations/{organization_pk}/memberships/", {
    params: { path: { organization_pk: acmeID }, query: { q: "ts.hire" } },
  });
  equal("invitations/member", members.data?.map((m) => [m.user.email, m.role]), [["ts.hire@acme.test", 5]]);

  const job = await api.POST("/api/campaigns/{campaign_pk}/emails/jobs/", {
    params: { path: { campaign_pk: "0a000000-0000-4000-8000-00000000c001" } },
    body: { type: "registration" },
  });
  equal("campaigns/email-job", [job.response.status, job.data?.recipients], [201, ["new.hire@acme.test"]]);
  const mail = await control.GET("/__fake/outbox", { params: { query: { kind: "invitation" } } });
  equal("control/outbox/invitations", mail.data?.map((m) => m.to), ["ts.hire@acme.test", "ts.gone@acme.test"]);
  const cleared = await control.DELETE("/__fake/outbox");
  const empty = await control.GET("/__fake/outbox");
  equal("control/outbox/clear", [cleared.response.status, empty.data?.length], [204, 0]);
}

async function main(): Promise<number> {
  const binary = process.argv[2];
  if (!binary) {
    console.error("usage: node scenario.js <pixiebrix-fake binary>");
    return 2;
  }
  let started: { url: string; child: ChildProcess };
  try {
    started = await start(binary);
  } catch (err) {
    console.error(String(err), log);
    return 1;
  }
  const { url, child } = started;
  process.once("exit", () => child.kill("SIGKILL"));
  try {
    await scenario(url);
    await controlPlane(url);
    await invitations(url);
  } catch (err) {
    check("scenario/ran-to-the-end", false, String(err));
  } finally {
    await stop(child);
  }
  if (failed > 0) console.log(`the fake's log:\n${log}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
