"""Shell, navigation and shared words."""

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"en": "Territory Planner", "zh": "销售区域规划"},
    "app.tagline": {
        "en": "Fair territories, each rep's chance of quota, and the month on four live dashboards.",
        "zh": "公平的销售区域、每位销售达成配额的概率，以及四个实时仪表板。",
    },
    "nav.data": {"en": "Data", "zh": "数据"},
    "nav.home": {"en": "Home", "zh": "首页"},
    "nav.language": {"en": "Language", "zh": "语言"},
    "nav.theme.dark": {"en": "Dark", "zh": "深色"},
    "nav.not_found": {"en": "This page does not exist.", "zh": "该页面不存在。"},
    "nav.go_home": {"en": "Go to the home page", "zh": "返回首页"},
    "shell.share": {"en": "Share", "zh": "分享"},
    "shell.present": {"en": "Present", "zh": "演示"},
    "shell.share.title": {"en": "Share this view", "zh": "分享此视图"},
    "shell.share.help": {
        "en": "This link reopens exactly this view (page, filters, as-of date, scenario or plan, language). Save it as a snapshot to find it in the workshop log.",
        "zh": "此链接可原样重新打开当前视图（页面、筛选、截至日期、情景或方案、语言）。保存为快照后可在研讨会记录中找到。",
    },
    "shell.snap.name": {"en": "Snapshot name", "zh": "快照名称"},
    "shell.snap.note": {"en": "Note (optional): what the room saw or decided", "zh": "备注（可选）：会上看到或决定的内容"},
    "shell.snap.save": {"en": "Save snapshot", "zh": "保存快照"},
    "shell.snap.saved": {"en": "Saved snapshot “{name}”.", "zh": "已保存快照“{name}”。"},
    "common.as_of": {"en": "As of", "zh": "截至"},
    "common.data_version": {"en": "Data version", "zh": "数据版本"},
    "common.no_data": {"en": "No data for this selection.", "zh": "所选范围内没有数据。"},
    "common.download_csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "common.updated": {"en": "Data updated (version {version})", "zh": "数据已更新（版本 {version}）"},
    "home.intro": {
        "en": "Start on the Data page: the workspace holds a generated demo dataset until you import your own CRM export.",
        "zh": "从“数据”页面开始：在导入您自己的 CRM 导出之前，工作区中是一份生成的演示数据。",
    },
    "home.workspace": {"en": "Workspace", "zh": "工作区"},
    "home.summary": {
        "en": "{reps} reps in {teams} teams, {accounts} accounts, {opportunities} opportunities, {activities} activities.",
        "zh": "{teams} 个团队共 {reps} 名销售，{accounts} 个客户，{opportunities} 个商机，{activities} 条活动。",
    },
    "home.range": {"en": "Data from {start} to {end}.", "zh": "数据时间范围：{start} 至 {end}。"},
    "home.empty": {
        "en": "The workspace is empty: import a dataset on the Data page.",
        "zh": "工作区为空：请在“数据”页面导入数据集。",
    },
}
