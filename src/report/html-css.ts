// The report's one stylesheet, inlined into the page (no network). Laptop width first: every wide table sits in a
// .table-scroll container, so at 800 px nothing is cut off; the page itself never scrolls sideways.
export const REPORT_CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#fff;--soft:#f6f8fa;--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--err:#8250df;--err-bg:#fbefff;--skip:#6e7781;--skip-bg:#eaeef2;--warn:#9a6700;--warn-bg:#fff8c5;--accent:#0969da;--find:#0550ae;--find-bg:#ddf4ff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
code{background:var(--soft);border-radius:4px;padding:0 4px;overflow-wrap:anywhere}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.wrap{max-width:1280px;margin:0 auto;padding:0 24px}
.muted{color:var(--muted)}
header.top{background:var(--soft);border-bottom:1px solid var(--line);padding:18px 0 0;margin-bottom:8px}
header.top h1{margin:0;font-size:24px}
.run-line{margin:4px 0 10px;color:var(--muted)}
section.answer{margin:4px 0 10px;padding:10px 14px;background:#fff;border:1px solid var(--line);border-left:5px solid var(--find);border-radius:6px;max-width:1100px}
section.answer h2{font-size:17px;border:0;padding:0;margin:0 0 4px}
.answer-lead{margin:0 0 2px;font-size:15px}
ul.answer-causes{margin:2px 0 6px;padding-left:20px}ul.answer-causes li{margin:2px 0}
ul.answer-causes code{font-size:12px;white-space:nowrap;overflow-wrap:normal}
table.headline td.num{white-space:normal;min-width:140px}
.answer-corrected{margin:0}
.gate-label{margin:0 0 2px;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
.overall{display:inline-block;margin:0 0 12px;padding:6px 12px;border-radius:6px;font-weight:600}
.overall.pass{background:var(--pass-bg);color:var(--pass)}.overall.fail{background:var(--fail-bg);color:var(--fail)}
nav{display:flex;gap:18px;flex-wrap:wrap;padding:8px 0 10px;border-top:1px solid var(--line)}
nav a{font-weight:500}
section{margin:28px 0}
h2{font-size:20px;border-bottom:1px solid var(--line);padding-bottom:6px;margin:0 0 12px}
h3{font-size:16px;margin:18px 0 8px}
h4{font-size:14px;margin:14px 0 6px}
h5{font-size:13px;margin:0 0 6px}
.lead{color:var(--muted);margin:0 0 12px;max-width:900px}
.count{display:inline-block;min-width:22px;padding:0 7px;border-radius:11px;background:var(--fail-bg);color:var(--fail);font-size:13px;text-align:center;vertical-align:middle}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
thead th{background:var(--soft);font-weight:600;font-size:12.5px;white-space:nowrap;position:sticky;top:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.table-scroll,.table-wrap{overflow-x:auto}
#whatif > table{display:block;max-width:100%;overflow-x:auto}
table.verdicts td{font-size:13px}
table.verdicts tr.group th{background:#fff;border-top:2px solid var(--line);padding-top:10px;font-size:13.5px;font-weight:600}
table.verdicts tr.group th code{font-weight:400}
table.verdicts thead th{white-space:normal}
table.verdicts td.verdict{min-width:180px}
table.verdicts td.documented{min-width:170px}
table.verdicts td:last-child{min-width:190px}
table.verdicts code.ident{word-break:normal}
.small{font-size:11px}
code.ident{overflow-wrap:normal;white-space:normal}
td.nowrap,td.nowrap code,span.nowrap{white-space:nowrap;overflow-wrap:normal}
td.over strong{color:var(--fail)}
.reason{font-size:12px;color:var(--muted);max-width:420px;overflow-wrap:break-word}
p.reason{max-width:none;margin:0 0 6px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.02em}
.badge.passed{background:var(--pass-bg);color:var(--pass)}.badge.failed,.badge.error{background:var(--fail-bg);color:var(--fail)}
.badge.errored{background:var(--err-bg);color:var(--err)}.badge.skipped,.badge.info{background:var(--skip-bg);color:var(--skip)}
.badge.warning{background:var(--warn-bg);color:var(--warn)}
.badge.spec-finding{background:var(--find-bg);color:var(--find)}
.badge.inconclusive{background:var(--warn-bg);color:var(--warn)}
.badge.team{background:var(--find-bg);color:var(--find);text-transform:none}
p.run-warning{margin:2px 0 6px;font-size:12.5px;color:var(--warn)}
td.p95 .ci{color:var(--muted);white-space:nowrap}td.lv-failed strong{color:var(--fail)}
.lv{font-size:11px;font-weight:600}.lv.passed{color:var(--pass)}.lv.failed{color:var(--fail)}.lv.inconclusive{color:var(--warn)}
td.limit .clock{color:var(--muted)}
p.latency-verdict{margin:2px 0 6px}p.latency-verdict.lv-failed{color:var(--fail)}p.latency-verdict.lv-inconclusive{color:var(--warn)}
.breakdown{margin:4px 0 8px;font-size:13px}.breakdown .bar{display:flex;height:10px;max-width:420px;border-radius:3px;overflow:hidden;background:var(--soft);margin-top:3px}
.seg.server,.key.server{background:#4c78a8}.seg.send,.key.send{background:#72b7b2}.seg.wire,.key.wire{background:#f58518}.seg.decode,.key.decode{background:#54a24b}
.run .facts .label,.latency-verdict .label,.breakdown .label{display:inline;margin-right:4px}
.key{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:3px;vertical-align:baseline}
.tag{display:inline-block;font-size:11px;padding:0 6px;border:1px solid var(--accent);color:var(--accent);border-radius:8px;vertical-align:1px}
code.idx-ok{background:var(--pass-bg);color:var(--pass);font-weight:600}
code.idx-other{background:var(--warn-bg);color:var(--warn);font-weight:600}
code.alt{opacity:.75}
.idx-none{color:var(--fail);font-weight:600}
.warn-mark{color:var(--fail);font-weight:700}
.ok-mark{color:var(--pass);font-weight:700}
.expected{font-size:12px;margin-top:2px}
.findings{display:grid;gap:12px}
.finding{border:1px solid var(--line);border-left:5px solid var(--skip);border-radius:6px;padding:10px 14px;background:#fff}
.finding.error{border-left-color:var(--fail)}.finding.warning{border-left-color:#d4a72c}
.finding header{display:flex;gap:10px;align-items:baseline}
.finding h3{margin:0;font-size:15px}
.where{margin:2px 0 8px;color:var(--muted);font-size:13px}
.label{display:block;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
.evidence p,.fix p{margin:2px 0 8px;overflow-wrap:anywhere}
.fix{background:var(--pass-bg);border-radius:4px;padding:6px 10px}
.fix .label{color:var(--pass)}
figure.chart{margin:0 0 22px;padding:12px 14px;border:1px solid var(--line);border-radius:6px}
figure.chart figcaption h3{margin:0}
figure.chart figcaption p{margin:2px 0 8px;color:var(--muted)}
figure.chart .svg{overflow-x:auto}
figure.chart svg{max-width:100%;height:auto;display:block}
.chart-error{color:var(--fail)}
section.scenario{border:1px solid var(--line);border-radius:6px;padding:4px 16px 14px;margin:0 0 18px}
section.scenario > h3 code{font-weight:400;font-size:12px}
ul.thresholds{margin:0 0 6px;padding-left:18px;font-size:13px}
.form{border-top:1px dashed var(--line);margin-top:10px}
.note{margin:4px 0;font-size:13px;max-width:980px}
.note.why{background:var(--warn-bg);padding:6px 10px;border-radius:4px}
pre.sql{background:#0d1117;color:#e6edf3;border-radius:6px;padding:10px 12px;overflow-x:auto;margin:6px 0}
pre.sql code{background:none;padding:0;color:inherit}
.params{font-size:12px;margin:4px 0 8px}
.runs{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.run{border:1px solid var(--line);border-radius:6px;padding:8px 10px;min-width:0}
.run.failed{border-color:#f5a3a3}.run.spec-finding{border-color:#80ccff}.run.errored{border-color:#d8b9ff}
.facts{font-size:12px;color:var(--muted);margin:0 0 6px}
.plan{font-size:12.5px;overflow-x:auto}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:18px}
ul.tree{padding-left:0}
ul.tree li{position:relative;margin:3px 0}
ul.tree ul li::before{content:"";position:absolute;left:-12px;top:0;height:11px;width:9px;border-left:1px solid #afb8c1;border-bottom:1px solid #afb8c1}
.label-line{padding:2px 6px;border-radius:4px;display:inline-block}
li.node.hit > .label-line{background:var(--pass-bg);outline:1px solid #8ddb9f}
li.node.miss > .label-line{background:var(--warn-bg)}
li.node.seq > .label-line{background:var(--fail-bg);outline:1px solid #f5a3a3}
.type{font-weight:600}
.stats{color:var(--muted);font-size:11.5px;margin-left:6px}
.cond{font-size:11.5px;padding-left:8px}
.cond .label{display:inline;font-size:10.5px}
details.raw{margin-top:6px}
details.raw summary{cursor:pointer;color:var(--accent);font-size:12.5px}
details.raw pre{max-height:360px;overflow:auto;background:var(--soft);padding:8px;border-radius:4px}
.env-grid{display:grid;grid-template-columns:minmax(320px,1.2fr) minmax(260px,1fr);gap:24px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dl.kv dt{font-weight:600;color:var(--muted)}dl.kv dd{margin:0}
table.settings th{font-weight:400;width:50%}
dl.generic{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0 10px}
dl.generic dt{font-weight:600;color:var(--muted)}dl.generic dd{margin:0;min-width:0}
table.generic td,table.generic th{font-size:12.5px}
.yes{color:var(--warn);font-weight:600}
.flag{display:inline-block;font-size:11px;font-weight:600;color:var(--warn);background:var(--warn-bg);border-radius:8px;padding:0 6px}
ul.audit-findings{list-style:none;padding:0;margin:8px 0 12px;display:grid;gap:8px}
ul.audit-findings li{border-left:3px solid #d4a72c;padding:2px 10px}
ul.audit-findings.info li{border-left-color:var(--line)}
details.audit-info summary{cursor:pointer;color:var(--accent);font-size:13px}
.audit-entry{margin-bottom:24px}
.def{max-width:620px;overflow-wrap:break-word}
footer{padding:20px 24px 40px;font-size:12px}
@media (max-width:800px){.env-grid{grid-template-columns:1fr}.runs{grid-template-columns:1fr}}
@media print{nav{display:none}details.raw{display:none}section.scenario{break-inside:avoid}}
`;
