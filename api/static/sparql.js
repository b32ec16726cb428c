// The query page: send the editor's query to this endpoint and show the result.
// Plain JavaScript, no dependencies; every node is built with textContent, never innerHTML.
(function () {
  "use strict";

  const RESULTS_JSON = "application/sparql-results+json";
  const ACCEPT = RESULTS_JSON + ", text/turtle;q=0.9";
  const XSD = "http://www.w3.org/2001/XMLSchema#";

  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const run = document.getElementById("run");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const position = document.getElementById("position");
  const downloadFormat = document.getElementById("download-format");
  const download = document.getElementById("download");
  const endpoint = form.getAttribute("action");

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  // A result term as a table cell: IRIs as links, literals with their language or datatype.
  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      if (/^https?:\/\//.test(term.value)) {
        const link = element("a", term.value);
        link.href = term.value;
        td.appendChild(link);
      } else {
        td.textContent = term.value;
      }
      td.className = "iri";
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else if (term.type === "triple") {
      const t = term.value;
      td.textContent = "<< " + [t.subject, t.predicate, t.object].map(plain).join(" ") + " >>";
    } else {
      td.appendChild(element("span", term.value));
      if (term["xml:lang"]) {
        td.appendChild(element("span", "@" + term["xml:lang"], "annotation"));
      } else if (term.datatype && term.datatype !== XSD + "string") {
        const short = term.datatype.startsWith(XSD) ? "xsd:" + term.datatype.slice(XSD.length) : term.datatype;
        td.appendChild(element("span", "^^" + short, "annotation"));
      }
    }
    return td;
  }

  function plain(term) {
    if (term.type === "uri") return "<" + term.value + ">";
    if (term.type === "bnode") return "_:" + term.value;
    return JSON.stringify(term.value);
  }

  function table(data) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const tableNode = element("table");
    const head = tableNode.createTHead().insertRow();
    for (const name of vars) head.appendChild(element("th", "?" + name));
    const body = tableNode.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const name of vars) tr.appendChild(cell(row[name]));
    }
    return tableNode;
  }

  // Select the place a syntax error points at (1-based line and column).
  function point(line, column) {
    const lines = editor.value.split("\n");
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
    offset = Math.min(offset + Math.max(column - 1, 0), editor.value.length);
    editor.focus();
    editor.setSelectionRange(offset, Math.min(offset + 1, editor.value.length));
  }

  async function showProblem(response) {
    let problem = {};
    try {
      problem = await response.json();
    } catch (error) {
      problem = { title: response.statusText };
    }
    let text = response.status + " " + (problem.title || "Error");
    if (problem.detail) text += ": " + problem.detail;
    say(text, true);
    if (problem.line && problem.column) point(problem.line, problem.column);
  }

  async function query(accept) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: accept },
      body: editor.value,
    });
  }

  async function execute() {
    run.disabled = true;
    results.replaceChildren();
    say("Running…");
    const started = performance.now();
    try {
      const response = await query(ACCEPT);
      const elapsed = Math.round(performance.now() - started) + " ms";
      if (!response.ok) {
        await showProblem(response);
        return;
      }
      history.replaceState(null, "", "#query=" + encodeURIComponent(editor.value));
      const type = response.headers.get("Content-Type") || "";
      if (type.startsWith(RESULTS_JSON)) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          results.appendChild(element("p", String(data.boolean), "boolean"));
          say("ASK answered in " + elapsed);
        } else {
          results.appendChild(table(data));
          const count = data.results.bindings.length;
          say(count + (count === 1 ? " row" : " rows") + " in " + elapsed);
        }
      } else {
        const text = await response.text();
        results.appendChild(element("pre", text || "(no triples)", "graph"));
        say("Graph (" + type.split(";")[0] + ") in " + elapsed);
      }
    } catch (error) {
      say("The server did not answer: " + error.message, true);
    } finally {
      run.disabled = false;
    }
  }

  async function save() {
    const media = downloadFormat.value;
    const response = await query(media);
    if (!response.ok) {
      await showProblem(response);
      return;
    }
    const blob = await response.blob();
    const link = element("a");
    link.href = URL.createObjectURL(blob);
    link.download = "result." + ({
      "application/sparql-results+json": "srj",
      "application/sparql-results+xml": "srx",
      "text/csv": "csv",
      "text/tab-separated-values": "tsv",
      "text/turtle": "ttl",
      "application/n-triples": "nt",
      "application/ld+json": "jsonld",
      "application/rdf+xml": "rdf",
    }[media] || "txt");
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    say("Downloaded as " + media);
  }

  function showPosition() {
    const before = editor.value.slice(0, editor.selectionStart).split("\n");
    position.textContent = "line " + before.length + ", column " + (before[before.length - 1].length + 1);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    execute();
  });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      execute();
    }
  });
  for (const name of ["keyup", "click", "input"]) editor.addEventListener(name, showPosition);
  download.addEventListener("click", save);
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", function () {
      editor.value = button.dataset.query;
      editor.focus();
      showPosition();
    });
  }
  if (location.hash.startsWith("#query=")) {
    editor.value = decodeURIComponent(location.hash.slice("#query=".length));
  }
  showPosition();
})();
