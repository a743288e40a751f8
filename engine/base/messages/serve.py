"""What-if settings (`evaluate --set`) and the workbench server (`jixiao serve`)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "whatif.not_assignment": ("「{text}」应写成 名称=值，如 全年执行数=4000", "'{text}' should read name=value, e.g. 全年执行数=4000"),
    "whatif.unknown_name": (
        "规则集中没有名为「{name}」的数据、指标或计算项{suggestion?，是否应为「{suggestion}」？}",
        "the ruleset has no figure, metric or indicator named '{name}'{suggestion?; did you mean '{suggestion}'?}",
    ),
    "whatif.bad_value": ("「{name}」的值「{value}」不是可用的数字", "'{value}' is not a usable value for '{name}'"),
    "cli.set_one_unit": ("--set 只能用于一个数据文件", "--set works on one data file only"),
    "whatif.computed": (
        "「{name}」的实际值由公式 {formula} 算出，请改公式所用的数据",
        "the actual value of '{name}' is computed by {formula}: change the figures it uses instead",
    ),
    "serve.missing_extra": (
        "jixiao serve 需要安装 serve 组件：pip install \"jixiao[serve]\"（缺少 {package}）",
        "jixiao serve needs the serve extra: pip install \"jixiao[serve]\" ({package} is missing)",
    ),
    "serve.token_required": (
        "在 127.0.0.1 以外的地址上提供服务必须设置访问令牌：--token 或环境变量 JIXIAO_TOKEN",
        "serving on an address other than 127.0.0.1 needs an access token: --token or the JIXIAO_TOKEN environment variable",
    ),
    "serve.listening": ("jixiao 工作台：{url}（按 Ctrl-C 停止）", "jixiao workbench: {url} (Ctrl-C to stop)"),
    "serve.token_notice": (
        "已启用访问令牌：每个请求须带 Authorization: Bearer <令牌>（浏览器可打开 {url}?token=<令牌>）",
        "access token on: every request must carry Authorization: Bearer <token> (in a browser open {url}?token=<token>)",
    ),
    "serve.no_rulesets_dir": ("规则集文件夹「{path}」不存在", "the rulesets folder '{path}' does not exist"),
    "serve.unknown_ruleset": (
        "没有 id 为「{id}」的规则集{suggestion?，是否应为「{suggestion}」？}",
        "there is no ruleset with id '{id}'{suggestion?; did you mean '{suggestion}'?}",
    ),
    "serve.bad_ruleset_id": ("规则集 id「{id}」不合规：只能是 年度/名称 这样的形式，如 2019/department", "'{id}' is not a ruleset id: it looks like year/name, e.g. 2019/department"),
    "serve.too_large": ("提交的内容超过 {limit_mb} MB 的上限", "the request is larger than the {limit_mb} MB limit"),
    "serve.timeout": ("处理超过 {seconds} 秒的时间上限，已停止", "the work took longer than the {seconds}-second limit and was stopped"),
    "serve.bad_request": ("请求不完整：{what}", "incomplete request: {what}"),
    "serve.cross_site": ("拒绝来自其他网站的请求", "a request from another web site is refused"),
    "serve.unauthorized": ("缺少或错误的访问令牌", "missing or wrong access token"),
    "serve.internal": ("内部错误（编号 {ref}），已记录在服务器日志中", "internal error (reference {ref}), recorded in the server log"),
    "serve.save_has_errors": ("规则集有 {count} 个问题，未保存（确需保存请勾选“仍然保存”）", "the ruleset has {count} problem(s) and was not saved (tick 'save anyway' to save it regardless)"),
    "serve.saved": ("已保存：{path}", "saved: {path}"),
    "serve.not_found": ("没有这个页面：{path}", "no such page: {path}"),
    "serve.unsupported_upload": ("不支持的文件类型「{name}」：请上传 YAML、JSON{more}", "unsupported file '{name}': upload YAML or JSON{more}"),
    "serve.form_no_data_file": (
        "「{name}」是填报表：假设分析的数字只在本页显示，不能写回表格；请在表中修改后重新上传",
        "'{name}' is a filled form: what-if figures are shown on this page only and cannot be written back into it; change the form and upload it again",
    ),
    "serve.bad_zip": (
        "「{name}」不是完好的 zip 压缩包（可能已损坏、不完整，或是改了扩展名的其他文件），请重新压缩后上传",
        "'{name}' is not a sound zip archive (damaged, cut short, or another file renamed); zip the files again and upload it",
    ),
    "serve.bad_zip_entry": ("压缩包「{name}」中的「{entry}」无法解压：{reason}", "'{entry}' in the zip '{name}' cannot be unpacked: {reason}"),
    "serve.zip_too_many": ("压缩包「{name}」中有 {count} 个数据文件，超过 {limit} 个的上限", "the zip '{name}' holds {count} data files, more than the limit of {limit}"),
    "serve.zip_too_big": ("压缩包「{name}」解压后超过 {limit_mb} MB 的上限，拒绝解压", "the zip '{name}' unpacks to more than the {limit_mb} MB limit; not unpacked"),
    "serve.zip_bomb": (
        "压缩包「{name}」中的「{entry}」压缩比异常（解压后超过压缩时的 {ratio} 倍），可能是解压炸弹，拒绝解压",
        "'{entry}' in the zip '{name}' is compressed suspiciously (it unpacks to more than {ratio} times its packed size), perhaps a zip bomb; not unpacked",
    ),
    "serve.no_rows": ("表格中没有单位", "the table holds no units"),
}
