// The inspectors' app: check labels against the bundle kept on the phone, record
// inspections offline, send them once when the network is back.
import { checkCode, InvalidBundle, loadBundle, readKeyDocument } from "./verifier.js";
import { startScanning } from "./scanner.js";
import * as store from "./store.js";

const body = document.body;
const $ = (id) => document.getElementById(id);
const state = { words: null, language: "vi", bundle: null, trusted: null, settings: {}, lastCheck: null, scanner: null };

function t(key, values = {}) {
  const texts = (state.words && (state.words[state.language] || state.words[state.words.default])) || {};
  const text = texts[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

function translatePage() {
  document.documentElement.lang = state.language;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  const select = $("language");
  select.replaceChildren();
  for (const [code, name] of Object.entries(state.words.languages)) {
    select.append(new Option(name, code, false, code === state.language));
  }
  updateNetwork();
  renderBundleInfo();
  renderQueue();
  if (state.lastCheck) renderVerdict(state.lastCheck);
}

const timeFormats = new Map();

function formatTime(iso) {
  const timeZone = state.bundle?.timeZone || "Asia/Ho_Chi_Minh";
  const id = `${state.language} ${timeZone}`;
  // One formatter per language and zone: a new one costs half as much as a check.
  if (!timeFormats.has(id)) timeFormats.set(id, new Intl.DateTimeFormat(state.language, { dateStyle: "short", timeStyle: "short", timeZone }));
  return timeFormats.get(id).format(new Date(iso));
}

function maxAgeDays() {
  return Number(state.settings.maxAgeDays) || Number(body.dataset.maxAgeDays) || 7;
}

function bundleAgeDays() {
  return (Date.now() - new Date(state.bundle.generatedAt).getTime()) / 86400000;
}

// ---- verdicts ----

function fact(list, name, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

function renderVerdict(check) {
  const box = $("verdict");
  box.dataset.verdict = check.verdict;
  box.dataset.reason = check.reason;
  box.hidden = false;
  $("verdict-title").textContent = t(`verdict_${check.verdict}`);
  $("verdict-reason").textContent = t(`reason_${check.reason}`);
  $("verdict-data-as-of").textContent = t("data_as_of", { time: formatTime(state.bundle.generatedAt) });
  const age = bundleAgeDays();
  show($("verdict-stale"), age > maxAgeDays() ? t("data_old", { days: Math.floor(age) }) : "");
  const facts = $("verdict-facts");
  facts.replaceChildren();
  const batch = check.batch;
  if (check.code) {
    fact(facts, t("lot"), check.code.lot);
    fact(facts, t("serial"), check.code.serial);
  }
  if (batch) {
    fact(facts, t("product"), batch.product);
    fact(facts, t("cooperative"), batch.cooperative);
    const certifications = (batch.certifications || [])
      .map((c) => `${c.scheme} ${c.certificate_number} (${c.valid_from} – ${c.valid_to})`)
      .join("; ");
    fact(facts, t("certifications"), certifications);
    if (batch.status === "recalled") fact(facts, t("recall_reason"), batch.recall_reason);
  }
  $("inspection").hidden = !(batch && batch.batch_id);
}

async function check(text) {
  if (!state.bundle) {
    $("no-bundle").hidden = false;
    return;
  }
  state.lastCheck = await checkCode(state.bundle, text);
  renderVerdict(state.lastCheck);
}

// ---- the bundle ----

function renderBundleInfo() {
  const info = $("bundle-info");
  $("no-bundle").hidden = Boolean(state.bundle);
  if (!state.bundle) {
    show(info, t("no_bundle"));
    return;
  }
  const region = state.bundle.document.region || {};
  const name = region.commune ? `${region.province} / ${region.commune}` : region.province;
  show(info, `${t("bundle_saved", { region: name, batches: state.bundle.batches.size })} ${t("data_as_of", { time: formatTime(state.bundle.generatedAt) })}`);
}

async function openStoredBundle() {
  const [text, keys] = await Promise.all([store.getItem("bundle"), store.getItem("trusted-keys")]);
  if (!text || !keys) return;
  try {
    state.trusted = readKeyDocument(keys);
    state.bundle = await loadBundle(text, state.trusted);
  } catch (error) {
    state.bundle = null;
    show($("bundle-status"), t("bundle_refused", { reason: error.message }));
  }
}

function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (state.settings.token) headers.Authorization = `Bearer ${state.settings.token}`;
  return fetch(`${body.dataset.api}${path}`, { ...options, headers, cache: "no-store" });
}

// The list of provinces and communes is asked for only when the inspector opens the
// download section (open by itself while no bundle is stored) or saves the settings,
// so an app with its bundle opens with no request at all (docs/offline-bundle.md, 6).
async function loadRegions() {
  if (!state.settings.token) {
    show($("bundle-status"), t("token_missing"));
    return;
  }
  if (!navigator.onLine) return;
  try {
    const response = await api("/bundle/regions");
    if (response.status === 401 || response.status === 403) {
      show($("bundle-status"), t("token_refused"));
      return;
    }
    if (!response.ok) return;
    const { items } = await response.json();
    if ($("bundle-status").textContent === t("token_missing")) show($("bundle-status"), "");
    const select = $("region");
    const chosen = select.value || state.settings.region;
    select.replaceChildren(...items.map((r) => new Option(r.name, r.key, false, r.key === chosen)));
  } catch {
    // No network after all: the stored bundle keeps working.
  }
}

async function downloadBundle(event) {
  event.preventDefault();
  const status = $("bundle-status");
  show(status, t("downloading"));
  try {
    const region = $("region").value;
    const [bundleResponse, keysResponse] = await Promise.all([
      api(`/bundle?region=${encodeURIComponent(region)}`),
      fetch(body.dataset.keys, { cache: "no-store" }),
    ]);
    if (bundleResponse.status === 401 || bundleResponse.status === 403) {
      show(status, t("token_refused"));
      return;
    }
    if (!bundleResponse.ok || !keysResponse.ok) {
      const problem = await bundleResponse.json().catch(() => ({}));
      show(status, t("bundle_refused", { reason: problem.detail || bundleResponse.status }));
      return;
    }
    const text = await bundleResponse.text();
    const keys = await keysResponse.json();
    // A key revoked on this phone stays revoked: the new key document must say so too.
    const trusted = readKeyDocument(keys);
    if (state.trusted) {
      for (const key of state.trusted.keys.values()) {
        if (key.status === "revoked" && trusted.keys.get(key.kid)?.status !== "revoked") {
          throw new InvalidBundle(`key ${key.kid} is revoked on this phone`);
        }
      }
    }
    const bundle = await loadBundle(text, trusted);
    await store.setItem("bundle", text);
    await store.setItem("trusted-keys", keys);
    state.trusted = trusted;
    state.bundle = bundle;
    state.settings.region = region;
    await store.setItem("settings", state.settings);
    show(status, t("bundle_saved", { region: $("region").selectedOptions[0]?.textContent || region, batches: bundle.batches.size }));
    renderBundleInfo();
  } catch (error) {
    show(status, error instanceof InvalidBundle ? t("bundle_refused", { reason: error.message }) : t("need_signal"));
  }
}

// ---- inspections ----

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function photoBase64(file) {
  // A phone photo is several MB: keep a 1280-pixel JPEG, which the server accepts.
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function recordInspection(event) {
  event.preventDefault();
  const batch = state.lastCheck?.batch;
  if (!batch) return;
  const file = $("photo").files[0];
  const inspection = {
    client_id: newClientId(),
    batch_id: batch.batch_id,
    body: {
      inspected_on: new Intl.DateTimeFormat("en-CA", { timeZone: state.bundle.timeZone }).format(new Date()),
      place: $("place").value.trim(),
      result: $("result").value,
      notes: $("notes").value.trim() || null,
    },
  };
  if (file) inspection.body.photo = await photoBase64(file);
  inspection.body.client_id = inspection.client_id;
  await store.enqueue(inspection);
  $("inspection-form").reset();
  show($("inspection-status"), t("recorded"));
  await renderQueue();
  sendQueued();
}

async function renderQueue() {
  const waiting = await store.queued();
  $("queue-count").textContent = t("queue_count", { count: waiting.length });
  $("queue-count").dataset.count = String(waiting.length);
}

let sending = false;

async function sendQueued() {
  if (sending || !navigator.onLine || !state.settings.token) return;
  sending = true;
  let sent = 0;
  try {
    for (const inspection of await store.queued()) {
      let response;
      try {
        response = await api(`/batches/${inspection.batch_id}/inspections`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(inspection.body),
        });
      } catch {
        break; // the network went away again: try later
      }
      // 201 stored; 409 already stored by an earlier send whose answer was lost.
      if (response.status === 201 || response.status === 409) {
        await store.dequeue(inspection.client_id);
        sent += 1;
      } else if (response.status === 401 || response.status === 403) {
        show($("queue-status"), t("token_refused"));
        break;
      } else {
        const problem = await response.json().catch(() => ({}));
        show($("queue-status"), t("send_refused", { reason: problem.detail || response.status }));
        break;
      }
    }
  } finally {
    sending = false;
  }
  if (sent) show($("queue-status"), t("sent", { count: sent }));
  await renderQueue();
}

// ---- settings, network, camera ----

function updateNetwork() {
  const badge = $("network");
  badge.dataset.state = navigator.onLine ? "online" : "offline";
  badge.textContent = t(navigator.onLine ? "online" : "offline");
}

async function saveSettings(event) {
  event.preventDefault();
  state.settings.token = $("token").value.trim();
  state.settings.maxAgeDays = Number($("max-age").value) || Number(body.dataset.maxAgeDays);
  state.settings.language = $("language").value;
  state.language = state.settings.language;
  await store.setItem("settings", state.settings);
  translatePage();
  show($("settings-status"), t("saved"));
  loadRegions();
  sendQueued();
}

async function toggleScan() {
  if (state.scanner) {
    state.scanner.stop();
    state.scanner = null;
    $("camera").hidden = true;
    $("scan").textContent = t("scan");
    return;
  }
  const video = $("camera");
  video.hidden = false;
  $("scan").textContent = t("stop_scan");
  try {
    state.scanner = await startScanning(video, async (text, decoder) => {
      state.scanner = null;
      video.hidden = true;
      $("scan").textContent = t("scan");
      $("code").value = text;
      $("verdict").dataset.decoder = decoder;
      await check(text);
    });
    $("camera-status").dataset.decoder = state.scanner.decoder;
  } catch (error) {
    video.hidden = true;
    $("scan").textContent = t("scan");
    show($("camera-status"), t("camera_failed", { reason: error.message }));
  }
}

async function start() {
  const [words, settings] = await Promise.all([
    fetch(body.dataset.messages).then((r) => r.json()),
    store.getItem("settings"),
  ]);
  state.words = words;
  state.settings = settings || {};
  state.language = state.settings.language || words.default;
  $("token").value = state.settings.token || "";
  $("max-age").value = maxAgeDays();
  await openStoredBundle();
  translatePage();
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    check($("code").value);
  });
  $("bundle-form").addEventListener("submit", downloadBundle);
  $("settings-form").addEventListener("submit", saveSettings);
  $("inspection-form").addEventListener("submit", recordInspection);
  $("send-now").addEventListener("click", sendQueued);
  $("scan").addEventListener("click", toggleScan);
  const downloadSection = $("bundle-download");
  downloadSection.addEventListener("toggle", () => {
    if (downloadSection.open) loadRegions();
  });
  downloadSection.open = !state.bundle;
  window.addEventListener("online", () => {
    updateNetwork();
    if (downloadSection.open) loadRegions();
    sendQueued();
  });
  window.addEventListener("offline", updateNetwork);
  sendQueued();
  body.dataset.ready = "true";
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .register(body.dataset.sw, { scope: body.dataset.scope, updateViaCache: "all" })
    .catch(() => {});
}
start();
