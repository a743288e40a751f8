// jixiao in-page YAML editor: CodeMirror 6 bundled into one IIFE that
// exposes window.JixiaoEditor. No network access at run time.
//
// API (all line/col values are 1-based; col counts Unicode characters, i.e.
// code points, the same way Python's str indexing does, so Chinese text and
// even characters outside the BMP line up with server-side diagnostics):
//
//   const h = JixiaoEditor.create(parentEl, initialText, {onChange(text), lang, readOnly, debounceMs})
//   JixiaoEditor.setDiagnostics(h, [{line, col, endLine?, endCol?, severity, message}])
//   JixiaoEditor.getText(h)          -> string
//   JixiaoEditor.setText(h, text)    (does NOT fire onChange; clears diagnostics)
//   JixiaoEditor.flush(h)            (fire a pending debounced onChange now)
//   JixiaoEditor.destroy(h)
//
// endLine/endCol is exclusive (the character at endCol is not marked). When
// they are missing the marker runs from col to the end of that line (or
// covers a single character when col is at/after the end of the line).

import { basicSetup } from "codemirror";
import { EditorState, Compartment } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { setDiagnostics as cmSetDiagnostics, lintGutter } from "@codemirror/lint";

const DEFAULT_DEBOUNCE_MS = 250;
const SEVERITIES = new Set(["error", "warning", "info", "hint"]);

function languageFor(lang) {
  switch ((lang || "yaml").toLowerCase()) {
    case "yaml":
    case "yml":
      return [yaml()];
    default:
      return []; // plain text
  }
}

const theme = EditorView.theme({
  "&": { fontSize: "14px", border: "1px solid #ccc", height: "100%" },
  ".cm-scroller": {
    fontFamily:
      'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", "Noto Sans CJK SC", "Microsoft YaHei", monospace',
    lineHeight: "1.5",
  },
});

// Convert a 1-based code-point column on a 1-based line into a document
// offset (UTF-16 units, which is what CodeMirror uses). Out-of-range values
// are clamped so a stale diagnostic never throws.
function posFromLineCol(doc, line, col) {
  const ln = Math.min(Math.max(1, Math.floor(Number(line) || 1)), doc.lines);
  const lineObj = doc.line(ln);
  let want = Math.max(1, Math.floor(Number(col) || 1)) - 1; // code points to skip
  const text = lineObj.text;
  let i = 0;
  while (want > 0 && i < text.length) {
    const cp = text.codePointAt(i);
    i += cp > 0xffff ? 2 : 1;
    want--;
  }
  return lineObj.from + i;
}

function toCmDiagnostics(doc, diags) {
  const out = [];
  for (const d of diags || []) {
    if (!d) continue;
    const from = posFromLineCol(doc, d.line, d.col);
    let to;
    if (d.endLine != null || d.endCol != null) {
      const endLine = d.endLine != null ? d.endLine : d.line;
      const endCol = d.endCol != null ? d.endCol : Number.MAX_SAFE_INTEGER;
      to = posFromLineCol(doc, endLine, endCol);
    } else {
      to = doc.lineAt(from).to;
    }
    if (to <= from) to = Math.min(from + 1, doc.length);
    if (to < from) to = from;
    const severity = SEVERITIES.has(d.severity) ? d.severity : "error";
    out.push({ from, to, severity, message: String(d.message ?? "") });
  }
  return out;
}

function create(parent, initialText, opts) {
  opts = opts || {};
  const onChange = typeof opts.onChange === "function" ? opts.onChange : null;
  const delay = opts.debounceMs != null ? opts.debounceMs : DEFAULT_DEBOUNCE_MS;
  const langConf = new Compartment();
  const handle = { view: null, timer: null, suppress: false, onChange, langConf };

  const fire = () => {
    handle.timer = null;
    if (handle.onChange && handle.view) handle.onChange(handle.view.state.doc.toString());
  };

  const listener = EditorView.updateListener.of((update) => {
    if (!update.docChanged || handle.suppress || !handle.onChange) return;
    if (handle.timer) clearTimeout(handle.timer);
    handle.timer = setTimeout(fire, delay);
  });

  const extensions = [
    basicSetup,
    keymap.of([indentWithTab]),
    lintGutter(),
    langConf.of(languageFor(opts.lang)),
    theme,
    listener,
  ];
  if (opts.readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));

  handle.view = new EditorView({
    parent,
    state: EditorState.create({ doc: initialText || "", extensions }),
  });
  handle._flush = () => {
    if (handle.timer) {
      clearTimeout(handle.timer);
      fire();
    }
  };
  return handle;
}

function setDiagnostics(handle, diags) {
  const view = handle.view;
  view.dispatch(cmSetDiagnostics(view.state, toCmDiagnostics(view.state.doc, diags)));
}

function getText(handle) {
  return handle.view.state.doc.toString();
}

function setText(handle, text) {
  const view = handle.view;
  handle.suppress = true;
  try {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text || "" } });
    view.dispatch(cmSetDiagnostics(view.state, []));
  } finally {
    handle.suppress = false;
  }
}

function setLang(handle, lang) {
  handle.view.dispatch({ effects: handle.langConf.reconfigure(languageFor(lang)) });
}

function flush(handle) {
  handle._flush();
}

function destroy(handle) {
  if (handle.timer) clearTimeout(handle.timer);
  handle.timer = null;
  handle.view.destroy();
}

window.JixiaoEditor = { create, setDiagnostics, getText, setText, setLang, flush, destroy, version: "0.1.0" };
