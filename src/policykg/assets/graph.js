/* policykg graph view: draws the view data (policykg.viz) with vis-network.
 *
 * Graph text enters the document only as text: textContent, text nodes, option labels, and
 * tooltips built as DOM elements whose text is set with textContent. Nothing here writes HTML.
 * The data comes from three JSON blocks (#pk-nodes, #pk-edges, #pk-config); nodes and edges
 * marked "reserve" are held back (a collapsed view with no server) until a click expands them.
 *
 * For tests and scripts: window.policykgNetwork is the vis.Network;
 * window.policykg = {network, nodes, edges, nodeView, edgeView, meta, state, search(q),
 * select(id), expand(id), setLang(lang), setLayout(name), refresh(), ready}.
 */
(function () {
  "use strict";

  function byId(id) {
    return document.getElementById(id);
  }

  function readJSON(id) {
    return JSON.parse(byId(id).textContent);
  }

  function element(tag, content, className) {
    const made = document.createElement(tag);
    if (content !== undefined && content !== null) made.textContent = String(content);
    if (className) made.className = className;
    return made;
  }

  const config = readJSON("pk-config");
  const meta = config.view;
  const layouts = config.layouts;
  const typeRank = new Map(meta.legend.map((entry, rank) => [entry.type, rank]));
  const state = {
    lang: "zh",
    layout: "hierarchical",
    types: new Set(meta.filters.types || meta.legend.map((entry) => entry.type)),
    area: meta.filters.area || "",
    year: meta.filters.year ? String(meta.filters.year) : "",
    unit: meta.filters.unit || "",
  };
  const lit = new Set(meta.highlight.nodes);
  const always = new Set(lit);
  if (meta.focus) always.add(meta.focus);

  function labelOf(node) {
    return state.lang === "en" ? node.label_en || node.label_zh : node.label_zh || node.label_en;
  }

  function tooltip(content) {
    return element("div", content, "pk-tip");
  }

  function prepareNode(raw) {
    const node = Object.assign({}, raw);
    node.tip = raw.title || "";
    node.title = tooltip(node.tip);
    node.label = labelOf(node);
    delete node.reserve;
    return node;
  }

  function prepareEdge(raw) {
    const edge = Object.assign({}, raw);
    edge.tip = raw.title || "";
    edge.title = tooltip(edge.tip);
    delete edge.reserve;
    return edge;
  }

  // -- the data, and what is held back ------------------------------------------------------
  const reserveNodes = new Map();
  const reserveAdjacent = new Map();
  const firstNodes = [];
  const firstEdges = [];
  for (const node of readJSON("pk-nodes")) {
    if (node.reserve) reserveNodes.set(node.id, node);
    else firstNodes.push(prepareNode(node));
  }
  for (const edge of readJSON("pk-edges")) {
    if (!edge.reserve) {
      firstEdges.push(prepareEdge(edge));
      continue;
    }
    for (const end of [edge.from, edge.to]) {
      if (!reserveAdjacent.has(end)) reserveAdjacent.set(end, []);
      reserveAdjacent.get(end).push(edge);
    }
  }

  const nodes = new vis.DataSet(firstNodes);
  const edges = new vis.DataSet(firstEdges);

  function passes(node) {
    if (always.has(node.id)) return true;
    if (!state.types.has(node.group)) return false;
    if (state.area && !(node.areas || []).includes(state.area)) return false;
    const years = node.years || [];
    if (state.year && years.length && !years.includes(Number(state.year))) return false;
    if (state.unit && !(node.units || []).includes(state.unit)) return false;
    return true;
  }

  const nodeView = new vis.DataView(nodes, { filter: passes });
  const edgeView = new vis.DataView(edges, {
    filter: (edge) => nodeView.get(edge.from) !== null && nodeView.get(edge.to) !== null,
  });

  const network = new vis.Network(
    byId("pk-network"),
    { nodes: nodeView, edges: edgeView },
    layouts.hierarchical
  );
  window.policykgNetwork = network;

  // -- pages, details, selection ------------------------------------------------------------
  // The planner pages the server has, by the kind of a node's local id; others get /id/….
  const PLANNER_PAGES = {
    area: "/areas/", measure: "/measures/", target: "/targets/", indicator: "/indicators/",
    unit: "/units/",
  };
  const FRAMEWORK = ["workline", "project", "aim", "build", "requirement", "tasklist"];

  function pageOf(node) {
    const pages = meta.pages;
    if (!pages || !node || typeof node.iri !== "string" || !node.iri.startsWith(pages.base)) {
      return null;
    }
    if (pages.planner === "yes" && typeof node.id === "string") {
      const slash = node.id.indexOf("/");
      const kind = slash > 0 ? node.id.slice(0, slash) : node.id;
      if (PLANNER_PAGES[kind]) return PLANNER_PAGES[kind] + encodeURI(node.id.slice(slash + 1));
      if (FRAMEWORK.includes(kind)) return "/framework#" + node.id;
    }
    return pages.prefix + node.iri.slice(pages.base.length).replace(/^\/+/, "");
  }

  function showDetails(id) {
    const node = nodes.get(id);
    if (!node) return;
    byId("pk-details").hidden = false;
    byId("pk-details-label").textContent = labelOf(node);
    byId("pk-details-kind").textContent = node.group + " · " + node.id;
    byId("pk-details-text").textContent = node.tip;
    const link = byId("pk-open");
    const url = pageOf(node);
    if (url) {
      link.setAttribute("href", url);
      link.hidden = false;
    } else {
      link.removeAttribute("href");
      link.hidden = true;
    }
  }

  function select(id) {
    if (nodeView.get(id) === null) return false;
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
    showDetails(id);
    return true;
  }

  // -- expanding a collapsed view -----------------------------------------------------------
  const expanded = new Set();

  function fromReserve(id) {
    const found = { nodes: [], edges: [] };
    if (reserveNodes.has(id)) found.nodes.push(reserveNodes.get(id));
    for (const edge of reserveAdjacent.get(id) || []) {
      found.edges.push(edge);
      const other = edge.from === id ? edge.to : edge.from;
      if (reserveNodes.has(other)) found.nodes.push(reserveNodes.get(other));
    }
    // the new nodes' links to what is already drawn
    for (const node of found.nodes) {
      for (const edge of reserveAdjacent.get(node.id) || []) {
        const other = edge.from === node.id ? edge.to : edge.from;
        if (nodes.get(other) !== null) found.edges.push(edge);
      }
    }
    return found;
  }

  function add(batch) {
    const newNodes = batch.nodes.filter((node) => nodes.get(node.id) === null);
    nodes.add(newNodes.map(prepareNode));
    const seen = new Set();
    const newEdges = batch.edges.filter((edge) => {
      if (seen.has(edge.id) || edges.get(edge.id) !== null) return false;
      seen.add(edge.id);
      return true;
    });
    edges.add(newEdges.map(prepareEdge));
    refresh();
    return newNodes.length;
  }

  async function expand(id) {
    if (expanded.has(id)) return 0;
    expanded.add(id);
    if (!meta.expand) return add(fromReserve(id));
    const path = id.split("/").map(encodeURIComponent).join("/");
    const response = await fetch(meta.expand + path, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      expanded.delete(id);
      setStatus("展开失败 could not expand " + id + " (" + response.status + ")");
      return 0;
    }
    return add(await response.json());
  }

  // -- search -------------------------------------------------------------------------------
  function lower(value) {
    return (value || "").toLowerCase();
  }

  function rank(node, needle, tip) {
    if (lower(node.id) === needle) return 0;
    if (lower(node.label_zh).includes(needle) || lower(node.label_en).includes(needle)) return 1;
    if (lower(node.id).includes(needle)) return 2;
    if (lower(tip).includes(needle)) return 3;
    return -1;
  }

  function matches(query) {
    const needle = lower(query.trim());
    if (!needle) return [];
    const hits = [];
    const consider = (node, tip) => {
      const found = rank(node, needle, tip);
      if (found >= 0) hits.push({ found, node });
    };
    nodeView.forEach((node) => consider(node, node.tip));
    for (const node of reserveNodes.values()) {
      if (nodes.get(node.id) === null && passes(node)) consider(node, node.title);
    }
    hits.sort(
      (a, b) =>
        a.found - b.found ||
        typeRank.get(a.node.group) - typeRank.get(b.node.group) ||
        (a.node.label_zh || "").length - (b.node.label_zh || "").length ||
        (a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0)
    );
    return hits.map((hit) => hit.node);
  }

  function listResults(found) {
    const box = byId("pk-results-box");
    const list = byId("pk-search-results");
    list.replaceChildren();
    box.hidden = found.length === 0;
    for (const node of found.slice(0, 20)) {
      const item = document.createElement("li");
      const button = element("button", labelOf(node) + " · " + node.id);
      button.type = "button";
      button.addEventListener("click", () => reveal(node.id));
      item.appendChild(button);
      list.appendChild(item);
    }
  }

  async function reveal(id) {
    if (nodes.get(id) === null) await expand(id); // a held-back node comes with its neighbours
    return select(id) ? id : null;
  }

  async function serverHits(query) {
    try {
      const response = await fetch("/api/search?limit=20&q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return [];
      return ((await response.json()).items || []).map((item) => ({
        id: item.id,
        label_zh: item.label_zh,
        label_en: item.label_en,
      }));
    } catch (error) {
      return [];
    }
  }

  async function findHits(query) {
    // a collapsed view holds few of the nodes: the server's search sees them all
    if (meta.collapsed && meta.expand) {
      const remote = await serverHits(query);
      if (remote.length) return remote;
    }
    return matches(query);
  }

  let lastQuery = null;
  let lastHits = [];
  let cursor = 0;

  // Find a node by its text (labels, id, tooltip text), select it and centre it; the same query
  // again moves on to the next match. Resolves to the node's id, or null.
  async function search(query) {
    if (query !== lastQuery) {
      lastQuery = query;
      lastHits = await findHits(query);
      cursor = 0;
    } else if (lastHits.length) {
      cursor = (cursor + 1) % lastHits.length;
    }
    listResults(lastHits);
    for (let step = 0; step < lastHits.length; step++) {
      const at = (cursor + step) % lastHits.length;
      const found = await reveal(lastHits[at].id);
      if (found) {
        cursor = at;
        return found;
      }
    }
    setStatus("无匹配 no match: " + query);
    return null;
  }

  // -- language, layout, filters, legend, status --------------------------------------------
  function pick(entry) {
    return state.lang === "en" ? entry.label_en || entry.label_zh : entry.label_zh;
  }

  function countVisible() {
    const counts = new Map();
    nodeView.forEach((node) => counts.set(node.group, (counts.get(node.group) || 0) + 1));
    return counts;
  }

  function buildLegend() {
    const counts = countVisible();
    const list = byId("pk-legend-list");
    list.replaceChildren();
    for (const entry of meta.legend) {
      const item = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = state.types.has(entry.type);
      box.dataset.type = entry.type;
      box.addEventListener("change", () => {
        if (box.checked) state.types.add(entry.type);
        else state.types.delete(entry.type);
        refresh();
      });
      const glyph = element("span", entry.glyph, "pk-glyph");
      glyph.style.color = entry.color;
      const count = element("span", " " + (counts.get(entry.type) || 0) + "/" + entry.total, "pk-count");
      label.append(box, glyph, document.createTextNode(pick(entry)), count);
      item.appendChild(label);
      list.appendChild(item);
    }
    const lines = byId("pk-edge-legend");
    lines.replaceChildren();
    for (const entry of meta.edge_legend) {
      const item = document.createElement("li");
      const line = element("span", null, entry.dashes ? "pk-line pk-dashed" : "pk-line");
      line.style.borderTopColor = entry.color;
      item.append(line, document.createTextNode(pick(entry)));
      lines.appendChild(item);
    }
  }

  function fillChoices() {
    const fill = (id, items, value) => {
      const select = byId(id);
      while (select.options.length > 1) select.remove(1);
      for (const item of items) {
        const option = element("option", typeof item === "object" ? pick(item) : item);
        option.value = typeof item === "object" ? item.id : String(item);
        select.appendChild(option);
      }
      select.value = value;
    };
    fill("pk-area", meta.choices.areas, state.area);
    fill("pk-year", meta.choices.years, state.year);
    fill("pk-unit", meta.choices.units, state.unit);
  }

  function setStatus(message) {
    byId("pk-status").textContent = message;
  }

  function updateStatus() {
    let message = nodeView.length + " 节点 nodes · " + edgeView.length + " 边 edges";
    if (meta.collapsed) message += " · 仅框架，点击展开 framework only: click a node to expand";
    if (meta.trace) message += " · 追溯 trace " + meta.trace;
    setStatus(message);
  }

  function refresh() {
    nodeView.refresh();
    edgeView.refresh();
    buildLegend();
    updateStatus();
  }

  function setLang(lang) {
    state.lang = lang === "en" ? "en" : "zh";
    nodes.update(nodes.get().map((node) => ({ id: node.id, label: labelOf(node) })));
    document.documentElement.lang = state.lang;
    byId("pk-lang").textContent = state.lang === "en" ? "中文" : "EN";
    buildLegend();
    fillChoices();
  }

  function setLayout(name) {
    if (!Object.prototype.hasOwnProperty.call(layouts, name)) return;
    state.layout = name;
    // vis-network restores the options it saved when the hierarchical layout was turned on as
    // soon as it is turned off: turn it off first, then set the new layout's own options
    network.setOptions({ layout: { hierarchical: { enabled: name === "hierarchical" } } });
    network.setOptions(layouts[name]);
    // start the new layout afresh (not from the old one's positions); it fits when stable
    network.setData({ nodes: nodeView, edges: edgeView });
    byId("pk-layout").value = name;
  }

  // -- wiring -------------------------------------------------------------------------------
  byId("pk-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(byId("pk-search").value);
  });
  byId("pk-lang").addEventListener("click", () => setLang(state.lang === "en" ? "zh" : "en"));
  byId("pk-layout").addEventListener("change", (event) => setLayout(event.target.value));
  for (const [id, key] of [["pk-area", "area"], ["pk-year", "year"], ["pk-unit", "unit"]]) {
    byId(id).addEventListener("change", (event) => {
      state[key] = event.target.value;
      refresh();
    });
  }
  network.on("click", (params) => {
    if (!params.nodes.length) return;
    const id = params.nodes[0];
    showDetails(id);
    if (meta.collapsed) expand(id);
  });
  network.on("doubleClick", (params) => {
    if (!params.nodes.length) return;
    const url = pageOf(nodes.get(params.nodes[0]));
    if (url) window.location.assign(url);
  });
  network.once("afterDrawing", () => {
    const shown = meta.fit.filter((id) => nodeView.get(id) !== null);
    if (shown.length) network.fit({ nodes: shown, animation: false });
    if (meta.focus && nodeView.get(meta.focus) !== null) showDetails(meta.focus);
    window.policykg.ready = true;
    document.body.dataset.ready = "true";
  });

  window.policykg = {
    network,
    nodes,
    edges,
    nodeView,
    edgeView,
    meta,
    state,
    search,
    select,
    expand,
    setLang,
    setLayout,
    refresh,
    ready: false,
  };
  fillChoices();
  refresh();
})();
