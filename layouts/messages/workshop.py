"""The workshop page: shortcuts, snapshots, the decision log and the workshop pack."""

MESSAGES: dict[str, dict[str, str]] = {
    "nav.workshop": {"en": "Workshop", "zh": "研讨会"},
    "workshop.title": {"en": "Planning workshop", "zh": "规划研讨会"},
    "workshop.intro": {
        "en": "Run the workshop on a shared screen: switch on Present in the top bar for large, high-contrast type with the editing controls hidden. Every view has a link that reopens it exactly; save the ones that matter as snapshots and log what the room decides.",
        "zh": "在共享屏幕上进行研讨：打开顶栏的“演示”开关，字体更大、对比度更高，并隐藏编辑控件。每个视图都有可原样重新打开的链接；将重要视图保存为快照，并记录会上的决定。",
    },
    "workshop.keys": {"en": "Keyboard", "zh": "键盘快捷键"},
    "workshop.key.present": {"en": "P — presentation mode on/off", "zh": "P — 开关演示模式"},
    "workshop.key.full": {"en": "F — the chart under the pointer (or the first chart) full screen; Esc leaves", "zh": "F — 将指针下（或第一个）图表全屏；Esc 退出"},
    "workshop.key.nav": {"en": "[ and ] — previous / next page; 1–9 — go to the n-th page", "zh": "[ 和 ] — 上一页 / 下一页；1–9 — 跳到第 n 页"},
    "workshop.key.share": {"en": "S — share this view (link and snapshot)", "zh": "S — 分享当前视图（链接与快照）"},
    "workshop.snapshots": {"en": "Snapshots", "zh": "快照"},
    "workshop.snapshots.empty": {"en": "No snapshots yet: use Share in the top bar on any page.", "zh": "暂无快照：在任意页面点击顶栏的“分享”。"},
    "workshop.col.name": {"en": "Name", "zh": "名称"},
    "workshop.col.when": {"en": "When (UTC)", "zh": "时间（UTC）"},
    "workshop.col.version": {"en": "Data version", "zh": "数据版本"},
    "workshop.col.note": {"en": "Note", "zh": "备注"},
    "workshop.col.open": {"en": "Open", "zh": "打开"},
    "workshop.col.what": {"en": "What changed", "zh": "变更内容"},
    "workshop.open": {"en": "open the view", "zh": "打开视图"},
    "workshop.decisions": {"en": "Decision log", "zh": "决策记录"},
    "workshop.decisions.empty": {"en": "No decisions logged yet.", "zh": "尚无决策记录。"},
    "workshop.dec.what": {"en": "What changed (e.g. “Adopt plan B from 1 January”)", "zh": "变更内容（例如“自1月1日起采用方案B”）"},
    "workshop.dec.note": {"en": "Note: why, who, open questions", "zh": "备注：原因、负责人、待解决问题"},
    "workshop.dec.add": {"en": "Add to the log", "zh": "添加到记录"},
    "workshop.dec.added": {"en": "Logged.", "zh": "已记录。"},
    "workshop.invalid": {"en": "Not saved: {problems}", "zh": "未保存：{problems}"},
}

MESSAGES.update(
    {
        "pack.title": {"en": "Territory Planner — workshop pack", "zh": "销售区域规划——研讨会资料包"},
        "pack.subtitle": {
            "en": "As of {as_of} · data version {version} · generated {generated}. Opens offline: every chart is drawn in this file.",
            "zh": "截至 {as_of} · 数据版本 {version} · 生成于 {generated}。可离线打开：所有图表都在此文件中绘制。",
        },
        "pack.plans": {"en": "Plans compared", "zh": "方案对比"},
        "pack.plans.note": {
            "en": "Fairness in potential, disruption from today's plan and simulated outcomes ({replications} runs, seed {seed}, the same random numbers for every plan).",
            "zh": "潜力公平性、相对当前方案的调整幅度与模拟结果（{replications} 次运行，随机种子 {seed}，各方案使用相同的随机数）。",
        },
        "pack.suggested": {"en": "Balanced carve (suggested)", "zh": "均衡划分（建议）"},
        "workshop.pack": {"en": "Workshop pack", "zh": "研讨会资料包"},
        "workshop.pack.intro": {
            "en": "One HTML file with the four dashboards and the plans compared (fairness, disruption, simulated bands), to send round after the workshop. It opens offline.",
            "zh": "一个 HTML 文件，包含四个仪表板和方案对比（公平性、调整幅度、模拟区间），会后可直接分发，可离线打开。",
        },
        "workshop.pack.build": {"en": "Build and download the pack", "zh": "生成并下载资料包"},
        "workshop.pack.cancel": {"en": "Cancel", "zh": "取消"},
        "workshop.pack.step": {"en": "Building: step {n} of 3 ({what})…", "zh": "正在生成：第 {n}/3 步（{what}）…"},
        "workshop.pack.done": {"en": "The pack was downloaded ({size} MB).", "zh": "资料包已下载（{size} MB）。"},
        "workshop.pack.as_of": {"en": "As of", "zh": "截至日期"},
    }
)
