// Load test of a running Qiao server: many clients on loopback, each looping over a mix of
// searches (API and page), listing pages, matches and a few writes, for a fixed time.
// Prints one JSON object: requests per second, errors, latency per kind of request.
//
//   node scripts/load.mjs --base http://127.0.0.1:18182 --clients 200 --seconds 30 \
//        --username bench --password bench-password
//
// Node's own fetch (keep-alive connections), no packages. Only loopback addresses are
// accepted: this is for a server on this machine.

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => {
    if (a.startsWith("--")) pairs.push([a.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const base = args.base ?? "http://127.0.0.1:8080";
const clients = Number(args.clients ?? 200);
const seconds = Number(args.seconds ?? 30);
const host = new URL(base).hostname;
if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) {
  console.error(`refusing ${base}: the load test targets this machine only`);
  process.exit(2);
}

// Queries people type: terms and sentences, both scripts. Repeated across clients, as real
// traffic repeats popular searches.
const QUERIES = [
  "电池 热管理", "相变材料", "锂电池 电芯温差", "人工智慧 資料庫", "数据库 查询优化", "机器视觉 缺陷检测",
  "工业机器人", "新能源汽车 电驱", "芯片 封装", "生物医药 靶向", "石墨烯 导热", "氢能 储运",
  "夏天电池包发烫、电芯温差大，想找不大改结构的办法", "注塑外壳缩痕、银纹，良品率上不去",
  "想用视觉检测替代人工目检，产线节拍两秒一件", "污水处理厂出水总氮偏高，冬季更明显",
  "軟體 開發 平台", "半导体 光刻胶", "5G 通信 天线", "智能制造 数字孪生", "碳纤维 复合材料",
  "医疗器械 影像", "农业 无人机 植保", "区块链 供应链金融", "高分子 可降解材料", "激光 焊接",
  "传感器 物联网", "大数据 风控", "自动驾驶 激光雷达", "光伏 逆变器", "储能 电站 安全",
  "仪器 质谱", "检测 认证 服务", "知识产权 代理", "技术转移 服务机构", "专家 材料科学",
];

async function json(path, init = {}) {
  const r = await fetch(base + path, init);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

async function ids(kind) {
  const body = await json(`/api/v1/${kind}?per_page=200`);
  return (body.items ?? body.data ?? body).map((x) => x.id);
}

const achievements = await ids("achievements");
const demands = await ids("demands");
let token = null;
if (args.username) {
  const r = await json("/api/v1/tokens", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: args.username, password: args.password }),
  });
  token = r.token;
}
if (achievements.length === 0 || demands.length === 0) {
  console.error("the server holds no achievements or demands: load the demo set first");
  process.exit(2);
}

const pick = (a) => a[Math.floor(Math.random() * a.length)];
const enc = encodeURIComponent;
// Weights of each kind of request (writers only with a token).
const KINDS = [
  ["search_api", 35, () => ({ path: `/api/v1/search?q=${enc(pick(QUERIES))}&per_page=20` })],
  ["search_page", 15, () => ({ path: `/search?q=${enc(pick(QUERIES))}` })],
  ["listing_page", 25, () => ({ path: `/achievements/${pick(achievements)}` })],
  ["matches_api", 23, () => ({ path: `/api/v1/demands/${pick(demands)}/matches?per_page=10` })],
  ["write", token ? 2 : 0, () => ({
    path: "/api/v1/demands",
    init: {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        title: `负载测试需求 ${Math.random().toString(36).slice(2, 8)}`,
        description: pick(QUERIES) + "，希望找到合适的技术方案。",
      }),
    },
  })],
];
const total = KINDS.reduce((s, k) => s + k[1], 0);
function choose() {
  let x = Math.random() * total;
  for (const k of KINDS) {
    if ((x -= k[1]) < 0) return k;
  }
  return KINDS[0];
}

const stats = Object.fromEntries(KINDS.map(([name]) => [name, { n: 0, errors: 0, ms: [] }]));
const errors = [];
const deadline = Date.now() + seconds * 1000;
async function client() {
  while (Date.now() < deadline) {
    const [name, , make] = choose();
    const { path, init } = make();
    const started = performance.now();
    let failed = false;
    try {
      const r = await fetch(base + path, init);
      await r.arrayBuffer();
      failed = r.status >= 400;
      if (failed && errors.length < 10) errors.push(`${r.status} ${init?.method ?? "GET"} ${path}`);
    } catch (e) {
      failed = true;
      if (errors.length < 10) errors.push(`${e.message} ${path}`);
    }
    const s = stats[name];
    s.n += 1;
    s.ms.push(performance.now() - started);
    if (failed) s.errors += 1;
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (Date.now() - started) / 1000;

const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
const out = { base, clients, seconds: Number(elapsed.toFixed(1)), requests: 0, errors: 0, kinds: {} };
for (const [name, s] of Object.entries(stats)) {
  if (s.n === 0) continue;
  s.ms.sort((a, b) => a - b);
  out.requests += s.n;
  out.errors += s.errors;
  out.kinds[name] = {
    requests: s.n,
    errors: s.errors,
    p50_ms: Number(pct(s.ms, 0.5).toFixed(1)),
    p99_ms: Number(pct(s.ms, 0.99).toFixed(1)),
  };
}
out.requests_per_s = Number((out.requests / elapsed).toFixed(1));
if (errors.length) out.first_errors = errors;
console.log(JSON.stringify(out, null, 2));
process.exit(out.errors === 0 ? 0 : 1);
