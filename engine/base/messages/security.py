"""Messages of strict loading and the other safety limits (安全与可靠性):
encodings, YAML versions, control characters, number ranges, scoring
parameters that could push a score outside [0, weight], and output files."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "load.encoding_utf16": ("文件是 {encoding} 编码，请另存为 UTF-8（记事本：另存为 → 编码选 UTF-8）", "the file is encoded as {encoding}; save it as UTF-8"),
    "load.encoding_mixed": ("文件前面是 UTF-8 编码，但第 {byte} 字节起不是有效的 UTF-8（可能粘贴了 GBK 编码的内容）；请统一另存为 UTF-8", "the file is UTF-8 up to byte {byte}, which is not valid UTF-8 (perhaps text pasted from a GBK file); save the whole file as UTF-8"),
    "load.yaml_version": ("只支持 YAML 1.2，这里声明了 %YAML {version}；请删除这一行", "only YAML 1.2 is read; this file declares %YAML {version}: remove that line"),
    "load.control_char": ("内容中有不可见的控制字符 {char}（该值第 {offset} 个字符）；请删除", "an invisible control character {char} (character {offset} of the value); remove it"),
    "load.too_many_nodes": ("文件中的数据项超过 {limit} 个，拒绝读取（规则集或单位数据不会这么大；请检查是否选错了文件）", "more than {limit} values in one file; refused (no ruleset or unit data is this large: is it the right file?)"),
    "load.number_range": ("数字 {value} 超出可处理的范围（整数部分最多 {digits} 位，小数最多 {digits} 位）", "the number {value} is out of range (at most {digits} digits before and after the point)"),
    "formula.number_range": ("公式中的数字 {value} 超出可处理的范围（整数部分最多 {digits} 位，小数最多 {digits} 位）", "the number {value} in the formula is out of range (at most {digits} digits before and after the point)"),
    "ruleset.weight_places": ("「{name}」的分值 {weight} 的小数位数多于得分保留的 {places} 位：四舍五入后满分会超过分值；请调整分值或 rounding.places", "the weight {weight} of '{name}' has more decimals than the {places} kept in scores, so full marks would round above the weight; change the weight or rounding.places"),
    "eval.score_out_of_range": ("「{name}」按 {method} 计分得 {score} 分，超出 0 至分值 {weight} 的范围；请检查其计分规则", "'{name}' scores {score} by {method}, outside 0 to its weight {weight}; check its scoring rule"),
    "cli.output_is_input": ("输出文件 {path} 就是输入文件，写入会覆盖原始数据；请换一个输出文件名", "the output file {path} is one of the input files and would overwrite them; choose another output name"),
}
