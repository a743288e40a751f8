"""Messages of finding a ruleset by path, `YEAR/kind` name or id (`engine.ruleset.locate`)."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "locate.unknown": ("找不到规则集「{ref}」（已查找：{folders}）{suggestion?；是否应为「{suggestion}」？}", "no ruleset '{ref}' (looked in: {folders}){suggestion?; did you mean '{suggestion}'?}"),
    "locate.same_id": ("有两个规则集的 id 都是「{id}」：{first} 和 {second}；请删除或改名其中一个，或写出文件路径", "two rulesets have the id '{id}': {first} and {second}; remove or rename one, or give the file's path"),
    "locate.outside": ("数据文件指定的规则集「{ref}」不在规则集搜索路径中，也不在数据文件所在文件夹内；为安全起见不予读取。请改写为规则集名称（如 2019/department），或在命令中用 --ruleset 指定", "the ruleset '{ref}' named by the data file is neither on the ruleset search path nor in the data file's own folder, so it is not read; name it by id (e.g. 2019/department) or give it with --ruleset"),
    "locate.no_folder": ("规则集文件夹不存在：{path}", "no such ruleset folder: {path}"),
}
