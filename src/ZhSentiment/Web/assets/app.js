// The page at /: single texts, files of texts, model information. Plain browser JavaScript, no dependencies.
// Everything a user typed or uploaded reaches the page only through textContent and DOM nodes, never as HTML.
'use strict';
(() => {
  const MAX_FILE_BYTES = 20 * 1024 * 1024;
  const BATCH_TEXTS = 50;            // texts per request, below the service's MaxBatchTexts
  const BATCH_CHARS = 200_000;       // keeps a request well under the service's default 4 MiB body limit
  const MAX_RETRIES = 4;             // 503s retried after Retry-After, then reported
  const MAX_INFO_RETRIES = 60;       // /info waits out a model that is still loading or downloading
  const PAGE_SIZE = 50;
  // The text-column rule of score, train and eval (ZhSentiment.Data.TextColumn); the server fills in the names.
  const TEXT_COLUMNS = [/* TextColumn.UsualNames */];
  const TRUNCATE_AT = 60;
  const HISTORY_SIZE = 8;
  const KEY_STORE = 'zhsenti.apiKey', HISTORY_STORE = 'zhsenti.history', LANG_STORE = 'zhsenti.lang';
  const EMOJI = { Positive: '😄', Negative: '😠', Neutral: '😐' };
  const TONE = { Positive: 'pos', Negative: 'neg', Neutral: 'neu' };
  const SIDES = ['Positive', 'Negative', 'Neutral'];
  // The canonical emotions /v1/emotion answers, each with its face and its names; the colours are in app.css (.emo-NAME).
  const EMOTIONS = {
    anger: { emoji: '😡', zh: '愤怒', en: 'Anger' },
    disgust: { emoji: '🤢', zh: '厌恶', en: 'Disgust' },
    fear: { emoji: '😨', zh: '恐惧', en: 'Fear' },
    happiness: { emoji: '😊', zh: '高兴', en: 'Happiness' },
    like: { emoji: '🥰', zh: '喜好', en: 'Like' },
    sadness: { emoji: '😢', zh: '悲伤', en: 'Sadness' },
    surprise: { emoji: '😲', zh: '惊讶', en: 'Surprise' },
    neutral: { emoji: '😶', zh: '无情绪', en: 'No emotion' },
  };
  const EXAMPLES = [
    '这家店的服务态度真是太好了',
    '质量太差了，用了两天就坏了，再也不会买了',
    '物流很快，包装也很用心，五星好评',
    '客服一直不回复，等了一个星期还没发货',
  ];
  const STRINGS = {
    zh: {
      pageTitle: 'ZhSentiment 中文情感分析', skip: '跳到单条分析', title: '中文情感分析', singleTitle: '单条分析',
      textLabel: '输入一段中文评论', textPlaceholder: '例如：这家店的服务态度真是太好了', analyze: '开始分析', analyzing: '分析中…',
      shortcut: 'Ctrl+Enter 也可以开始分析', confidence: '置信度', examplesTitle: '示例（点击即分析）', historyTitle: '最近分析',
      clearHistory: '清空记录', historyEmpty: '还没有记录。记录只保存在本浏览器中。', batchTitle: '批量分析',
      linesLabel: '粘贴多条文本，每行一条', analyzeLines: '分析全部', fileLabel: '或上传 CSV / TSV / TXT 文件（UTF-8 或 GB18030）',
      fileHint: 'CSV/TSV 的第一行是列名；TXT 每行一条。', columnLabel: '文本所在的列', analyzeFile: '分析文件', cancel: '停止',
      distTitle: '标签分布', histTitle: '置信度分布', filterLabel: '按标签筛选', download: '下载结果 CSV', colIndex: '序号',
      colLabel: '情感', colScore: '置信度', modelTitle: '模型信息', modelName: '模型', modelLabels: '标签',
      modelQuant: '量化', modelLimits: '限制', apiDocs: 'API 参考文档', keyTitle: 'API 密钥',
      keyLabel: '服务要求密钥时填写（只保存在本标签页）', keySave: '保存',
      limits: '每条最多 {chars} 字，每次最多 {texts} 条', quantNone: '无（fp32）', loadingModel: '正在读取模型信息…',
      modelLoading: '模型正在加载，稍后自动刷新…', modelFailed: '无法读取模型信息：{why}',
      errEmpty: '请先输入要分析的文本。', errEmptyLines: '请至少粘贴一行文本。',
      errTextTooLong: '文本有 {n} 字，超过了服务的上限 {max} 字。',
      errNetwork: '无法连接到服务，请检查网络或服务是否仍在运行。', errKey: '服务需要有效的 API 密钥，请在“模型信息”下的“API 密钥”中填写。',
      errBusy: '服务繁忙（或模型仍在加载），请稍后再试。', errTooLarge: '一次提交的内容太大，服务拒绝了这次请求。',
      errBad: '服务无法处理这些文本：{detail}', errOther: '服务返回了错误（HTTP {status}）：{detail}',
      errFileTooLarge: '文件太大（{size} MB），上限是 {max} MB。', errFileEmpty: '文件里没有可分析的文本。',
      errFileRead: '无法读取这个文件：{why}', errQuote: '第 {line} 行（列名）的引号没有闭合，文件不是有效的 CSV。',
      errNoTextColumn: '看不出哪一列是文本（没有名为 {names} 的列），请在“文本所在的列”中选择。各列：{columns}',
      choose: '（请选择）', fileBadRows: '{n} 行的引号没有闭合，已标出，其余照常分析。',
      errFileType: '只支持 .csv、.tsv 和 .txt 文件。',
      fileSummary: '{name}：{rows} 行，{cols} 列，编码 {encoding}', retrying: '服务繁忙，{s} 秒后重试（第 {n} 次）…',
      progress: '已分析 {done} / {total} 条', stopped: '已停止：显示已完成的 {done} 条。',
      pageNote: '共 {total} 条，符合条件 {matched} 条，第 {page} / {pages} 页', pagePrev: '上一页', pageNext: '下一页',
      searchLabel: '搜索', confidenceLabel: '按置信度筛选', confHigh: '90% 及以上', confMid: '70%–90%', confLow: '低于 70%',
      all: '全部', skipped: '未分析', skippedEmpty: '空文本，未分析', skippedLong: '超过 {max} 字，未分析',
      skippedQuote: '第 {line} 行的引号没有闭合，未分析',
      modelKind: '类型', modelGoodFor: '适用于', modelAccuracy: '实测准确率', kindCompact: '本项目训练的紧凑字符 n-gram 模型',
      kindCheckpoint: '{arch} 检查点', kindOnnx: 'ONNX 模型',
      more: '展开', less: '收起', distAria: '标签分布：{parts}', histAria: '置信度分布：{parts}',
      presetLabel: '方面预设', batchPresetLabel: '方面预设（可选）', presetNone: '不分析方面', evidenceTitle: '依据',
      evidenceHint: '标 ＋ 的绿色片段推向正面，标 − 的红色片段推向负面。', sentencesTitle: '分句', aspectsTitle: '方面',
      contrastNote: '转折之后的分句权重更大：综合判断为 {label}（{score}）。', mixedNote: '褒贬兼有：既有明显正面的分句，也有明显负面的分句。',
      mixedCount: '褒贬兼有的文本：{count} 条', notMentioned: '未提及：{names}',
      aspectChartTitle: '方面 × 情感（提及该方面的文本数）', groupLabel: '按列分组', dateLabel: '日期列（趋势）', columnNone: '不选',
      groupTitle: '按「{column}」的情感', trendTitle: '情感趋势', chartAria: '{title}：{parts}', others: '其他',
      Positive: '正面', Negative: '负面', Neutral: '中性',
      emotionTitle: '情绪', emoDistTitle: '情绪分布', emoTrendTitle: '情绪趋势', colEmotion: '情绪', colEmotionScore: '情绪置信度',
      emoDistAria: '情绪分布：{parts}',
    },
    en: {
      pageTitle: 'ZhSentiment Chinese sentiment analysis', skip: 'Skip to single text', title: 'Chinese sentiment analysis',
      singleTitle: 'One text', textLabel: 'Enter a Chinese review', textPlaceholder: 'e.g. 这家店的服务态度真是太好了',
      analyze: 'Analyse', analyzing: 'Analysing…', shortcut: 'Ctrl+Enter analyses too', confidence: 'Confidence',
      examplesTitle: 'Examples (click to analyse)', historyTitle: 'Recent analyses', clearHistory: 'Clear history',
      historyEmpty: 'Nothing yet. History stays in this browser only.', batchTitle: 'Many texts',
      linesLabel: 'Paste texts, one per line', analyzeLines: 'Analyse all',
      fileLabel: 'Or upload a CSV / TSV / TXT file (UTF-8 or GB18030)',
      fileHint: 'The first row of a CSV/TSV names the columns; a TXT holds one text per line.',
      columnLabel: 'Column with the text', analyzeFile: 'Analyse file', cancel: 'Stop', distTitle: 'Labels',
      histTitle: 'Confidence', filterLabel: 'Filter by label', download: 'Download results (CSV)', colIndex: '#',
      colLabel: 'Sentiment', colScore: 'Confidence', modelTitle: 'Model', modelName: 'Model',
      modelLabels: 'Labels', modelQuant: 'Quantization', modelLimits: 'Limits', apiDocs: 'API reference',
      keyTitle: 'API key', keyLabel: 'Needed when the service requires a key (kept in this tab only)', keySave: 'Save',
      limits: 'up to {chars} characters per text, {texts} texts per request', quantNone: 'none (fp32)',
      loadingModel: 'Reading the model information…', modelLoading: 'The model is loading; this refreshes by itself…',
      modelFailed: 'Cannot read the model information: {why}',
      errEmpty: 'Enter a text to analyse first.', errEmptyLines: 'Paste at least one line of text.',
      errTextTooLong: 'The text has {n} characters; the service accepts at most {max}.',
      errNetwork: 'Cannot reach the service. Check the network and that the service is running.',
      errKey: 'The service needs a valid API key: enter it under “API key” in the model section.',
      errBusy: 'The service is busy (or still loading its model). Try again shortly.',
      errTooLarge: 'The request was too large for the service.', errBad: 'The service could not take these texts: {detail}',
      errOther: 'The service answered with an error (HTTP {status}): {detail}',
      errFileTooLarge: 'The file is too large ({size} MB); the limit is {max} MB.', errFileEmpty: 'The file holds no text to analyse.',
      errFileRead: 'Cannot read this file: {why}', errQuote: 'A quote opened on line {line} (the column names) is never closed; this is not valid CSV.',
      errNoTextColumn: 'Cannot tell which column holds the text (none is named {names}); choose it under “Column with the text”. The columns: {columns}',
      choose: '(choose)', fileBadRows: '{n} rows have a quote that never closes; they are marked, the rest are analysed.',
      errFileType: 'Only .csv, .tsv and .txt files are supported.',
      fileSummary: '{name}: {rows} rows, {cols} columns, {encoding}', retrying: 'Service busy; retrying in {s} s (attempt {n})…',
      progress: '{done} / {total} analysed', stopped: 'Stopped: showing the {done} finished.',
      pageNote: '{total} texts, {matched} matching, page {page} of {pages}', pagePrev: 'Previous', pageNext: 'Next',
      searchLabel: 'Search', confidenceLabel: 'Filter by confidence', confHigh: '90% and above', confMid: '70%–90%', confLow: 'below 70%',
      all: 'All', skipped: 'Not analysed', skippedEmpty: 'Empty, not analysed', skippedLong: 'Over {max} characters, not analysed',
      skippedQuote: 'The quote opened on line {line} never closes; not analysed',
      modelKind: 'Kind', modelGoodFor: 'Good for', modelAccuracy: 'Measured accuracy', kindCompact: 'compact character n-gram model trained by this project',
      kindCheckpoint: '{arch} checkpoint', kindOnnx: 'ONNX model', Positive: 'Positive', Negative: 'Negative', Neutral: 'Neutral',
      more: 'more', less: 'less', distAria: 'Labels: {parts}', histAria: 'Confidence: {parts}',
      presetLabel: 'Aspect preset', batchPresetLabel: 'Aspect preset (optional)', presetNone: 'No aspects', evidenceTitle: 'Evidence',
      evidenceHint: 'Spans marked ＋ (green) push towards positive, spans marked − (red) towards negative.', sentencesTitle: 'Sentences',
      aspectsTitle: 'Aspects', contrastNote: 'The clauses after a contrast weigh more: overall {label} ({score}).',
      mixedNote: 'Mixed: some sentences are clearly positive and others clearly negative.', mixedCount: 'Mixed texts: {count}',
      notMentioned: 'Not mentioned: {names}', aspectChartTitle: 'Aspects × sentiment (texts mentioning each aspect)',
      groupLabel: 'Group by column', dateLabel: 'Date column (trend)', columnNone: 'None', groupTitle: 'Sentiment by “{column}”',
      trendTitle: 'Sentiment over time', chartAria: '{title}: {parts}', others: 'Others',
      emotionTitle: 'Emotion', emoDistTitle: 'Emotions', emoTrendTitle: 'Emotions over time', colEmotion: 'Emotion',
      colEmotionScore: 'Emotion score', emoDistAria: 'Emotions: {parts}',
    },
  };

  const $ = id => document.getElementById(id);
  const state = {
    lang: localStorage.getItem(LANG_STORE) === 'en' ? 'en' : 'zh',
    apiKey: sessionStorage.getItem(KEY_STORE) || '',
    info: null,
    model: null,           // the model chosen in the picker (null: the service's default model)
    infoStatus: null,      // [key, vars] while /info is not shown
    last: null,            // the latest single result: { text, result }
    file: null,            // the parsed upload: { name, columns, rows, unreadable, encoding }
    batch: null,           // { columns, rows, unreadable, textColumn, results, name }
    sort: { key: 'index', dir: 1 },
    filter: '',            // label filter: '', 'label:' and the model's label, or 'skipped'
    search: '',
    confidence: '',        // '', 'high', 'mid' or 'low'
    page: 0,
    controller: null,
  };

  const t = (key, vars) => (STRINGS[state.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars?.[name] ?? ''));
  const percent = score => (score * 100).toFixed(1) + '%';

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) for (const [name, value] of Object.entries(props)) {
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showError(id, message) {
    const box = $(id);
    box.textContent = message;
    box.hidden = !message;
  }

  // ---- The API ----------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, detail, retryAfter) {
      super(detail || `HTTP ${status}`);
      this.status = status;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  async function api(path, body, signal) {
    // The chosen model goes with every model route: in the body of /v1/*, as ?model= on /info.
    if (state.model && path.startsWith('/v1/') && body !== undefined) body = { ...body, model: state.model };
    if (state.model && path === '/info') path += '?model=' + encodeURIComponent(state.model);
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (state.apiKey) headers.Authorization = 'Bearer ' + state.apiKey;
    let response;
    try {
      response = await fetch(path, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, error.message, 0);
    }
    if (response.ok) return response.json();
    let detail = '';
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || '';
    } catch { /* not a problem document */ }
    throw new ApiError(response.status, detail, Number.parseInt(response.headers.get('Retry-After') || '', 10) || 1);
  }

  function describe(error) {
    if (!(error instanceof ApiError)) return t('errOther', { status: '?', detail: String(error?.message ?? error) });
    switch (error.status) {
      case 0: return t('errNetwork');
      case 401: return t('errKey');
      case 413: return t('errTooLarge');
      case 503: return t('errBusy');
      case 400: return t('errBad', { detail: error.detail });
      default: return t('errOther', { status: error.status, detail: error.detail });
    }
  }

  const sleep = (ms, signal) => new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('Stopped', 'AbortError')); }, { once: true });
  });

  /** Calls again after Retry-After while the service answers 503, a bounded number of times. */
  async function withRetry(call, onWait, signal, retries = MAX_RETRIES) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 503 || attempt > retries) throw error;
        const seconds = Math.min(Math.max(error.retryAfter, 1), 30);
        onWait?.(seconds, attempt);
        await sleep(seconds * 1000, signal);
      }
    }
  }

  // ---- Model information ---------------------------------------------------------------------------------------

  /** The picker of /v1/models, shown only when the service serves more than one model. */
  async function loadModels() {
    let models = [];
    try {
      models = (await api('/v1/models')).models ?? [];
    } catch { /* an older service or a refused key: one model, no picker */ }
    $('model-pick-box').hidden = models.length < 2;
    if (models.length < 2) return;
    $('model-pick').replaceChildren(...models.map(m => el('option', { value: m.name, text: m.name })));
    $('model-pick').value = state.model ?? models.find(m => m.default)?.name ?? models[0].name;
  }

  function chooseModel() {
    state.model = $('model-pick').value;
    state.last = null;
    renderResult();
    loadInfo();
  }

  async function loadInfo() {
    state.info = null;
    state.infoStatus = ['loadingModel'];
    renderInfo();
    try {
      state.info = await withRetry(() => api('/info'), () => { state.infoStatus = ['modelLoading']; renderInfo(); }, null, MAX_INFO_RETRIES);
      state.infoStatus = null;
    } catch (error) {
      state.infoStatus = ['modelFailed', { why: describe(error) }];
      if (error instanceof ApiError && error.status === 401) $('key-box').open = true;
    } finally {
      renderInfo();
    }
  }

  function renderInfo() {
    const info = state.info;
    $('model-info').hidden = !info;
    $('model-status').textContent = state.infoStatus ? t(...state.infoStatus) : '';
    if (!info) return;
    // The name, not info.source: that is a path on the server, nothing a visitor needs to see.
    $('info-name').textContent = info.name;
    $('info-kind').textContent = info.architecture === 'zhsenti-ngram' ? t('kindCompact')
      : info.architecture === 'onnx' ? t('kindOnnx') : t('kindCheckpoint', { arch: info.architecture });
    for (const [id, value] of [['info-good-for', info.good_for], ['info-accuracy', info.accuracy]]) {
      $(id).textContent = value ?? '';
      $(id).hidden = $(id).previousElementSibling.hidden = !value;
    }
    $('info-labels').textContent = info.model_labels.map((label, i) =>
      `${EMOJI[info.labels[i]] ?? EMOTIONS[info.labels[i]]?.emoji ?? ''} ${className(label)}`.trim()).join('、');
    $('info-quant').textContent = info.quantization === 'none' ? t('quantNone') : info.quantization;
    $('info-limits').textContent = t('limits', { chars: info.max_text_chars, texts: info.max_batch_texts });
    for (const id of ['preset', 'batch-preset']) {
      const select = $(id), chosen = select.value;
      select.replaceChildren(el('option', { value: '', text: t('presetNone') }),
        ...(info.aspect_presets ?? []).map(p => el('option', { value: p.name, text: p.alias ? `${p.name} (${p.alias})` : p.name })));
      select.value = chosen;
    }
  }

  /**
   * An answer's label as shown: Positive, Negative and Neutral as 正面, 负面 and 中性 (in English as they are), whatever
   * the model calls its classes; a model whose labels mean no side answers its own top label, shown as it is. The page
   * never works a verdict out itself: the label is always the one the API answered.
   */
  const sideName = label => EMOJI[label] ? t(label) : label;

  /**
   * What /info says one of the model's classes means (Positive, anger, …; its `labels` beside `model_labels`), or
   * undefined. Only for naming a class in English and colouring its bar, never for a verdict.
   */
  function classMeaning(modelLabel) {
    const info = state.info;
    const i = info ? info.model_labels.indexOf(modelLabel) : -1;
    return i >= 0 ? info.labels[i] : undefined;
  }

  /**
   * One of the model's classes as shown: its own name (正面, star 1) in Chinese, its meaning in English; an emotion by
   * the page's name for it in either language (a model may name its emotions in English: anger is 愤怒 here).
   */
  function className(modelLabel) {
    const meaning = classMeaning(modelLabel);
    if (EMOTIONS[meaning]) return state.lang === 'en' ? EMOTIONS[meaning].en : EMOTIONS[meaning].zh;
    if (state.lang !== 'en' || !meaning) return modelLabel;
    return EMOJI[meaning] ? t(meaning) : EMOTIONS[meaning]?.en ?? meaning;
  }

  /** Whether the model answers emotions (/info's tasks); the page shows none of them otherwise. */
  const hasEmotions = () => Boolean(state.info?.tasks?.includes('emotion'));

  /** A canonical emotion (anger) as shown: 愤怒 in Chinese, Anger in English, with its face. */
  const emotionName = label => EMOTIONS[label]?.[state.lang] ?? label;
  const emotionEmoji = label => EMOTIONS[label]?.emoji ?? '🙂';
  const emotionTone = label => EMOTIONS[label] ? 'emo-' + label : 'other';

  function saveKey() {
    state.apiKey = $('api-key').value.trim();
    if (state.apiKey) sessionStorage.setItem(KEY_STORE, state.apiKey);
    else sessionStorage.removeItem(KEY_STORE);
    loadModels();
    loadInfo();
  }

  // ---- One text ------------------------------------------------------------------------------------------------

  async function analyzeOne() {
    if ($('analyze').disabled) return; // one analysis at a time, however it was started
    const text = $('text').value;
    showError('single-error', '');
    if (!text.trim()) {
      showError('single-error', t('errEmpty'));
      $('text').focus();
      return;
    }
    if (state.info && text.length > state.info.max_text_chars) {
      showError('single-error', t('errTextTooLong', { n: text.length, max: state.info.max_text_chars }));
      return;
    }
    const button = $('analyze');
    button.disabled = true;
    button.textContent = t('analyzing');
    $('single').setAttribute('aria-busy', 'true');
    try {
      const preset = $('preset').value;
      // The verdict is /v1/sentiment's and shows as soon as it answers; /v1/analyze adds sentences, evidence and aspects
      // when it answers (on a BERT model it costs a few predictions more). With an emotion model, /v1/emotion adds the
      // text's emotion and every emotion class's score.
      const analysing = withRetry(() => api('/v1/analyze', preset ? { text, aspects: preset } : { text })).catch(() => null);
      const [answer, felt] = await Promise.all([
        withRetry(() => api('/v1/sentiment', { text })),
        hasEmotions() ? withRetry(() => api('/v1/emotion', { text })).catch(() => null) : null,
      ]);
      const result = answer.results[0];
      const last = state.last = { text, result, analysis: null, emotion: felt?.results[0] ?? null };
      renderResult();
      remember(text, result, last.emotion);
      const analysis = await analysing;
      if (state.last === last && analysis) {
        last.analysis = analysis.results[0];
        renderAnalysis();
      }
    } catch (error) {
      showError('single-error', describe(error));
    } finally {
      button.disabled = false;
      button.textContent = t('analyze');
      $('single').removeAttribute('aria-busy');
    }
  }

  function renderResult() {
    const box = $('result');
    box.hidden = !state.last;
    if (!state.last) return;
    const { result } = state.last;
    const verdict = box.querySelector('.verdict');
    verdict.className = 'verdict ' + (TONE[result.label] ?? '');
    $('verdict-emoji').textContent = EMOJI[result.label] ?? '🙂';
    $('verdict-label').textContent = sideName(result.label);
    $('verdict-score').textContent = percent(result.score);
    $('probs').replaceChildren(...result.probabilities.map(p => meter(className(p.label), p.score, TONE[classMeaning(p.label)] ?? '')));
    renderEmotion();
    renderAnalysis();
  }

  /** The text's emotion, as /v1/emotion answered it, and a bar for every emotion class of the model. */
  function renderEmotion() {
    const { result, emotion } = state.last;
    $('emotion-box').hidden = !emotion;
    // An emotion model's sentiment classes are its emotions: their bars would repeat the emotion bars.
    $('probs').hidden = Boolean(emotion) && result.probabilities.length === emotion.emotions.length
      && result.probabilities.every((p, i) => p.label === emotion.emotions[i].model_label);
    if (!emotion) return;
    $('emotion-verdict').className = 'verdict ' + emotionTone(emotion.label);
    $('emotion-emoji').textContent = emotionEmoji(emotion.label);
    $('emotion-label').textContent = emotionName(emotion.label);
    $('emotion-score').textContent = percent(emotion.score);
    $('emotion-bars').replaceChildren(...emotion.emotions.map(e => meter(emotionName(e.label), e.score, emotionTone(e.label))));
  }

  /** A labelled bar (a meter) for one class and its score. */
  function meter(name, score, tone) {
    const fill = el('div', { class: 'fill ' + tone });
    fill.style.width = (score * 100).toFixed(1) + '%';
    return el('li', null,
      el('span', { text: name }),
      el('div', { class: 'bar', role: 'meter', 'aria-label': name, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': (score * 100).toFixed(1) }, fill),
      el('span', { class: 'num', text: percent(score) }));
  }

  /** Evidence highlighted in the text, every clause's verdict, and the aspects: all as text nodes, never HTML. */
  function renderAnalysis() {
    const { text, result, analysis } = state.last;
    $('analysis').hidden = !analysis;
    if (!analysis) return;
    const emotionTag = (label, score) => el('span', { class: 'tag emotion ' + emotionTone(label), text: `${emotionEmoji(label)} ${emotionName(label)} ${percent(score)}` });
    const tag = (label, score) => el('span', { class: 'tag ' + (TONE[label] ?? ''), text: `${EMOJI[label] ?? ''} ${sideName(label)} ${percent(score)}`.trim() });

    // The strongest spans that do not overlap, from the evidence list (strongest first); weak ones stay plain.
    const marks = [];
    for (const e of analysis.evidence)
      if (Math.abs(e.weight) >= 0.05 && !marks.some(m => m.start < e.end && e.start < m.end)) marks.push(e);
    marks.sort((a, b) => a.start - b.start);
    const parts = [];
    let at = 0;
    for (const m of marks) {
      if (m.start > at) parts.push(text.slice(at, m.start));
      const positive = m.weight > 0;
      parts.push(el('mark', { class: positive ? 'pos' : 'neg', title: (positive ? '+' : '') + m.weight.toFixed(2) },
        el('span', { class: 'sign', text: positive ? '＋' : '−' }), text.slice(m.start, m.end)));
      at = m.end;
    }
    parts.push(text.slice(at));
    $('highlight').replaceChildren(...parts);

    const note = $('contrast-note');
    note.hidden = analysis.label === result.label;
    note.textContent = t('contrastNote', { label: sideName(analysis.label), score: percent(analysis.score) });
    $('mixed-note').hidden = !analysis.mixed;
    $('mixed-note').textContent = t('mixedNote');
    $('sentences').replaceChildren(...analysis.sentences.map(s => el('li', null, el('span', { text: s.text + ' ' }), tag(s.label, s.score),
      ...(s.emotion ? [' ', emotionTag(s.emotion, s.emotion_score)] : []))));

    $('aspects-box').hidden = analysis.aspects.length === 0;
    const mentioned = analysis.aspects.filter(a => a.mentioned), missing = analysis.aspects.filter(a => !a.mentioned);
    $('aspects-list').replaceChildren(...mentioned.map(a => el('li', null,
      el('strong', { text: a.name + ' ' }), tag(a.label, a.score), el('span', { class: 'hint', text: ' ' + a.evidence.map(e => `“${e.text}”`).join(' ') }))));
    $('aspects-none').textContent = missing.length ? t('notMentioned', { names: missing.map(a => a.name).join('、') }) : '';
  }

  function readHistory() {
    try {
      const items = JSON.parse(localStorage.getItem(HISTORY_STORE) || '[]');
      return Array.isArray(items) ? items.filter(h => typeof h?.text === 'string') : [];
    } catch {
      return [];
    }
  }

  function remember(text, result, emotion) {
    const items = readHistory().filter(h => h.text !== text);
    items.unshift({ text: text.slice(0, 500), label: result.label, score: result.score, emotion: emotion?.label });
    localStorage.setItem(HISTORY_STORE, JSON.stringify(items.slice(0, HISTORY_SIZE)));
    renderHistory();
  }

  function renderHistory() {
    const items = readHistory();
    $('history-empty').hidden = items.length > 0;
    $('clear-history').hidden = items.length === 0;
    $('history').replaceChildren(...items.map(h => {
      const short = h.text.length > 40 ? h.text.slice(0, 40) + '…' : h.text;
      const felt = typeof h.emotion === 'string' ? ` · ${emotionEmoji(h.emotion)} ${emotionName(h.emotion)}` : '';
      const verdict = `${EMOJI[h.label] ?? ''} ${sideName(h.label)} ${typeof h.score === 'number' ? percent(h.score) : ''}`.trim() + felt;
      return el('li', null, el('button', {
        type: 'button', title: h.text,
        onclick: () => { $('text').value = h.text; $('text').focus(); },
      }, el('span', { text: short }), ' — ', el('strong', { text: verdict })));
    }));
  }

  // ---- Files -------------------------------------------------------------------------------------------------

  class FileProblem extends Error {
    constructor(key, vars) {
      super(key);
      this.key = key;
      this.vars = vars;
    }
  }

  /** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise GB18030. */
  function decode(buffer) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer), encoding: 'UTF-8' };
    } catch {
      return { text: new TextDecoder('gb18030').decode(buffer), encoding: 'GB18030' };
    }
  }

  /**
   * RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks. Blank lines are dropped.
   * A quote that never closes marks its record as unreadable ({ line, unreadable: true }) and reading resumes at the
   * line after the one the record started on, as `zhsenti score` does; the other records are kept.
   */
  function parseDelimited(text, delimiter) {
    const records = [];
    const n = text.length;
    let i = 0, line = 1;
    while (i < n) {
      const start = i, startLine = line, cells = [];
      let field = '', quoted = false;
      while (i < n) {
        const c = text[i];
        if (quoted) {
          if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
          if (c === '"') quoted = false;
          else { if (c === '\n') line++; field += c; }
          i++;
        } else if (c === '"' && field === '') {
          quoted = true;
          i++;
        } else if (c === delimiter) {
          cells.push(field);
          field = '';
          i++;
        } else if (c === '\n' || c === '\r') {
          i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
          line++;
          break;
        } else {
          let stop = i + 1;
          while (stop < n && !'"\r\n'.includes(text[stop]) && text[stop] !== delimiter) stop++;
          field += text.slice(i, stop);
          i = stop;
        }
      }
      if (quoted) {
        records.push({ line: startLine, unreadable: true });
        const next = /\r\n|\r|\n/g;
        next.lastIndex = start;
        i = next.exec(text) ? next.lastIndex : n;
        line = startLine + 1;
        continue;
      }
      cells.push(field);
      if (cells.length > 1 || cells[0] !== '') records.push({ line: startLine, cells });
    }
    return records;
  }

  function sniffDelimiter(text) {
    const first = text.slice(0, text.search(/\r|\n|$/));
    return (first.match(/\t/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? '\t' : ',';
  }

  /** The column named like a text column (any case), else the only column, else -1: the rule of score, train and eval. */
  function findTextColumn(columns) {
    for (const name of TEXT_COLUMNS) {
      const i = columns.findIndex(c => c.toLowerCase() === name.toLowerCase());
      if (i >= 0) return i;
    }
    return columns.length === 1 ? 0 : -1;
  }

  async function readFile(file) {
    const extension = (file.name.match(/\.[^.]+$/)?.[0] ?? '').toLowerCase();
    if (!['.csv', '.tsv', '.txt'].includes(extension)) throw new FileProblem('errFileType');
    if (file.size > MAX_FILE_BYTES) throw new FileProblem('errFileTooLarge', { size: (file.size / 1048576).toFixed(1), max: MAX_FILE_BYTES / 1048576 });
    const { text, encoding } = decode(await file.arrayBuffer());
    let columns, rows, unreadable = new Map();  // row index → the line its unclosed quote opened on
    if (extension === '.txt') {
      columns = ['text'];
      rows = text.split(/\r\n|\r|\n/).filter(line => line.trim()).map(line => [line]);
    } else {
      const records = parseDelimited(text, extension === '.tsv' ? '\t' : sniffDelimiter(text));
      const header = records.shift();
      if (header?.unreadable) throw new FileProblem('errQuote', { line: header.line });
      columns = header?.cells ?? [];
      rows = records.map((r, i) => {
        if (r.unreadable) unreadable.set(i, r.line);
        return r.cells ?? [];
      });
    }
    if (rows.length === 0) throw new FileProblem('errFileEmpty');
    return { name: file.name, columns, rows, unreadable, encoding };
  }

  function fileSummary() {
    const { name, rows, columns, encoding, unreadable } = state.file;
    const summary = t('fileSummary', { name, rows: rows.length, cols: columns.length, encoding });
    return unreadable.size ? `${summary} ${t('fileBadRows', { n: unreadable.size })}` : summary;
  }

  async function onFileChosen() {
    const file = $('file').files[0];
    // The results and messages of the previous file or paste are not this file's.
    state.file = null;
    state.batch = null;
    renderBatch();
    showError('batch-error', '');
    $('file-summary').textContent = '';
    $('column-box').hidden = true;
    $('analyze-file').disabled = true;
    if (!file) return;
    try {
      state.file = await readFile(file);
    } catch (error) {
      showError('batch-error', error instanceof FileProblem ? t(error.key, error.vars) : t('errFileRead', { why: error.message }));
      return;
    }
    const { columns } = state.file;
    $('file-summary').textContent = fileSummary();
    const guess = findTextColumn(columns);
    const select = $('column');
    select.replaceChildren(...(guess < 0 ? [el('option', { value: '', text: t('choose') })] : []),
      ...columns.map((c, i) => el('option', { value: String(i), text: c || `#${i + 1}` })));
    select.value = guess < 0 ? '' : String(guess);
    $('column-box').hidden = columns.length < 2;
    if (guess < 0) showError('batch-error', t('errNoTextColumn', { names: TEXT_COLUMNS.join(', '), columns: columns.join(', ') }));
    $('analyze-file').disabled = guess < 0;
  }

  function onColumnChosen() {
    $('analyze-file').disabled = $('column').value === '' || Boolean(state.controller);
    if ($('column').value !== '') showError('batch-error', '');
  }

  // ---- Many texts ----------------------------------------------------------------------------------------------

  function analyzeLines() {
    const lines = $('lines').value.split(/\r\n|\r|\n/).filter(line => line.trim());
    if (lines.length === 0) {
      showError('batch-error', t('errEmptyLines'));
      $('lines').focus();
      return;
    }
    return runBatch({ name: 'texts', columns: ['text'], rows: lines.map(line => [line]), unreadable: new Map(), textColumn: 0 });
  }

  function analyzeFile() {
    const file = state.file;
    if (!file) return;
    if ($('column').value === '') return;
    return runBatch({ name: file.name.replace(/\.[^.]+$/, ''), columns: file.columns, rows: file.rows, unreadable: file.unreadable, textColumn: Number($('column').value) });
  }

  function setBatchBusy(busy) {
    for (const id of ['analyze-lines', 'file', 'column', 'download']) $(id).disabled = busy;
    $('analyze-file').disabled = busy || !state.file || $('column').value === '';
    $('cancel').hidden = !busy;
    $('batch').setAttribute('aria-busy', String(busy));
  }

  async function runBatch(job) {
    if (state.controller) return;
    showError('batch-error', '');
    const texts = job.rows.map(row => row[job.textColumn] ?? '');
    const maxChars = state.info?.max_text_chars ?? Infinity;
    const perRequest = Math.max(1, Math.min(BATCH_TEXTS, state.info?.max_batch_texts ?? BATCH_TEXTS));
    job.results = texts.map((text, i) => job.unreadable.has(i) ? { skipped: 'skippedQuote', line: job.unreadable.get(i) }
      : !text.trim() ? { skipped: 'skippedEmpty' } : text.length > maxChars ? { skipped: 'skippedLong' } : null);
    job.preset = $('batch-preset').value;
    job.analyses = [];
    job.withEmotions = hasEmotions();
    job.emotions = [];
    state.batch = job;
    fillColumnChoices(job);
    Object.assign(state, { sort: { key: 'index', dir: 1 }, filter: '', search: '', confidence: '', page: 0 });
    $('search').value = '';
    $('confidence').value = '';
    const todo = [];
    texts.forEach((_, i) => { if (!job.results[i]) todo.push(i); });
    const chunks = [];
    for (let i = 0, chars = 0; i < todo.length; i++) {
      const size = texts[todo[i]].length;
      if (!chunks.length || chunks.at(-1).length >= perRequest || chars + size > BATCH_CHARS) { chunks.push([]); chars = 0; }
      chunks.at(-1).push(todo[i]);
      chars += size;
    }

    const controller = new AbortController();
    state.controller = controller;
    let done = 0;
    const progress = (message) => {
      $('progress').max = Math.max(todo.length, 1);
      $('progress').value = done;
      $('progress-text').textContent = message ?? t('progress', { done, total: todo.length });
    };
    const send = async (indexes) => {
      let answer;
      try {
        answer = await withRetry(() => api('/v1/sentiment', { texts: indexes.map(i => texts[i]) }, controller.signal),
          (s, n) => progress(t('retrying', { s, n })), controller.signal);
      } catch (error) {
        if (error instanceof ApiError && error.status === 413 && indexes.length > 1) {
          const half = indexes.length >> 1;
          await send(indexes.slice(0, half));
          await send(indexes.slice(half));
          return;
        }
        throw error;
      }
      const wait = (s, n) => progress(t('retrying', { s, n }));
      const [analysed, felt] = await Promise.all([
        job.preset ? withRetry(() => api('/v1/analyze', { texts: indexes.map(i => texts[i]), aspects: job.preset }, controller.signal), wait, controller.signal) : null,
        job.withEmotions ? withRetry(() => api('/v1/emotion', { texts: indexes.map(i => texts[i]) }, controller.signal), wait, controller.signal) : null,
      ]);
      analysed?.results.forEach((result, k) => { job.analyses[indexes[k]] = result; });
      felt?.results.forEach((result, k) => { job.emotions[indexes[k]] = result; });
      answer.results.forEach((result, k) => { job.results[indexes[k]] = result; });
      done += indexes.length;
      progress();
    };

    setBatchBusy(true);
    $('progress-box').hidden = false;
    $('batch-results').hidden = true;
    progress();
    try {
      for (const chunk of chunks) await send(chunk);
    } catch (error) {
      showError('batch-error', error.name === 'AbortError' ? t('stopped', { done }) : describe(error));
    } finally {
      state.controller = null;
      setBatchBusy(false);
      $('progress-box').hidden = true;
      renderBatch();
    }
  }

  function renderBatch() {
    const job = state.batch;
    const analysed = job ? job.results.filter(r => r).length : 0;
    $('batch-results').hidden = !job || analysed === 0;
    if (!job || analysed === 0) return;
    renderFilter(job);
    renderTable(job);
    renderCharts();
  }

  function renderCharts() {
    const job = state.batch;
    if (!job || $('batch-results').hidden) return;
    renderDistribution(job);
    renderHistogram(job);
    renderEmotionCharts(job);
    renderAspectChart(job);
    renderGroupChart(job);
    renderTrendChart(job);
  }

  // ---- Aspects, groups and trends of a file -------------------------------------------------------------------

  function fillColumnChoices(job) {
    const options = () => [el('option', { value: '', text: t('columnNone') }),
      ...job.columns.map((c, i) => i === job.textColumn ? null : el('option', { value: String(i), text: c || `#${i + 1}` })).filter(Boolean)];
    $('group-column').replaceChildren(...options());
    $('date-column').replaceChildren(...options());
    const date = job.columns.findIndex((c, i) => i !== job.textColumn && /^(date|time|day|created|日期|时间|评论时间|下单时间)/i.test(c.trim()));
    $('date-column').value = date >= 0 ? String(date) : '';
  }

  /** Rows of stacked horizontal bars; each row's counts are written after it, so the chart reads without colour. */
  function stackedBars(chart, title, rows) {
    const width = chartWidth(chart), left = 96, barMax = width - left - 150, rowHeight = 26;
    const most = Math.max(1, ...rows.map(r => r.parts.reduce((n, p) => n + p.count, 0)));
    chart.setAttribute('viewBox', `0 0 ${width} ${rows.length * rowHeight + 8}`);
    chart.setAttribute('aria-label', t('chartAria', { title, parts: rows.map(r => `${r.name} ${r.parts.map(p => `${p.name} ${p.count}`).join(' ')}`).join(', ') }));
    chart.replaceChildren(...rows.flatMap((r, i) => {
      const y = 4 + i * rowHeight;
      let x = left;
      const nodes = [svg('text', { x: left - 8, y: y + 16, 'text-anchor': 'end' }, r.name.length > 12 ? r.name.slice(0, 12) + '…' : r.name)];
      for (const p of r.parts) {
        const w = p.count / most * barMax;
        if (w > 0) nodes.push(svg('rect', { x: x.toFixed(1), y: y + 4, width: w.toFixed(1), height: 16, class: p.tone }));
        x += w;
      }
      nodes.push(svg('text', { x: (x + 6).toFixed(1), y: y + 16, class: 'count' }, r.parts.filter(p => p.count).map(p => `${p.name} ${p.count}`).join(' · ')));
      return nodes;
    }));
  }

  function renderAspectChart(job) {
    const names = job.analyses.find(a => a)?.aspects.map(a => a.name) ?? [];
    $('aspect-figure').hidden = names.length === 0;
    if (!names.length) return;
    const labels = SIDES.filter(side => job.analyses.some(a => a?.aspects.some(x => x.mentioned && x.label === side)));
    for (const a of job.analyses) for (const x of a?.aspects ?? []) if (x.mentioned && !labels.includes(x.label)) labels.push(x.label);
    const rows = names.map((name, k) => ({
      name,
      parts: labels.map(label => ({
        name: sideName(label), tone: TONE[label] ?? 'other',
        count: job.analyses.filter(a => a?.aspects[k].mentioned && a.aspects[k].label === label).length,
      })),
    })).filter(r => r.parts.some(p => p.count));
    stackedBars($('aspect-chart'), t('aspectChartTitle'), rows);
    $('mixed-count').textContent = t('mixedCount', { count: job.analyses.filter(a => a?.mixed).length });
  }

  function labelParts(job, indexes) {
    return labelsOf(job).map(l => ({ name: sideName(l), tone: TONE[l] ?? 'other', count: indexes.filter(i => job.results[i]?.label === l).length }));
  }

  /** Label counts per value of the chosen column: the 12 most frequent values, the rest as one row. */
  function renderGroupChart(job) {
    const column = $('group-column').value;
    $('group-figure').hidden = column === '';
    if (column === '') return;
    const groups = new Map();
    job.rows.forEach((row, i) => {
      if (!job.results[i] || job.results[i].skipped) return;
      const key = (row[Number(column)] ?? '').trim() || '—';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    });
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
    const shown = sorted.slice(0, 12), rest = sorted.slice(12).flatMap(g => g[1]);
    const rows = shown.map(([name, indexes]) => ({ name, parts: labelParts(job, indexes) }));
    if (rest.length) rows.push({ name: t('others'), parts: labelParts(job, rest) });
    const title = t('groupTitle', { column: job.columns[Number(column)] });
    $('group-title').textContent = title;
    stackedBars($('group-chart'), title, rows);
  }

  /** A day from the usual ways dates are written (2024-05-01, 2024/5/1 12:00, 2024年5月1日), or null. */
  function dayOf(value) {
    const m = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/.exec(value ?? '');
    return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : null;
  }

  /** Label counts per day (per month beyond 60 days) of the chosen date column, as stacked columns. */
  function renderTrendChart(job) {
    const dated = datedRows(job);
    // Shown before it is drawn: a chart is drawn at its on-screen width.
    $('trend-figure').hidden = dated.length === 0;
    if (dated.length) stackedColumns($('trend-chart'), t('trendTitle'), dated, indexes => labelParts(job, indexes));
    if (job.withEmotions) renderEmotionTrend(job);  // the same dates, by emotion
  }

  /** [day, row] for every analysed row with a date in the chosen date column. */
  function datedRows(job) {
    const column = $('date-column').value;
    return column === '' ? [] : job.rows.map((row, i) => [dayOf(row[Number(column)]), i]).filter(([day, i]) => day && job.results[i] && !job.results[i].skipped);
  }

  /**
   * Counts per day (per month beyond 60 days) of dated rows ([day, row]) as stacked columns, parts(rows) giving each
   * period's { name, tone, count } parts.
   */
  function stackedColumns(chart, title, dated, parts) {
    const byMonth = new Set(dated.map(([day]) => day)).size > 60;
    const periods = new Map();
    for (const [day, i] of dated) {
      const key = byMonth ? day.slice(0, 7) : day;
      if (!periods.has(key)) periods.set(key, []);
      periods.get(key).push(i);
    }
    const keys = [...periods.keys()].sort();
    const width = chartWidth(chart), height = CHART_HEIGHT, left = 28, bottom = 34, plotW = width - left - 6, plotH = height - bottom - 12;
    const most = Math.max(1, ...keys.map(k => periods.get(k).length)), barW = plotW / keys.length;
    chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
    chart.setAttribute('aria-label', t('chartAria', { title,
      parts: keys.map(k => `${k} ${parts(periods.get(k)).map(p => `${p.name} ${p.count}`).join(' ')}`).join(', ') }));
    const nodes = [svg('line', { x1: left, y1: height - bottom, x2: width - 6, y2: height - bottom, stroke: '#99a' }),
      svg('text', { x: left - 4, y: 20, 'text-anchor': 'end' }, String(most))];
    keys.forEach((k, n) => {
      let y = height - bottom;
      for (const p of parts(periods.get(k))) {
        const h = p.count / most * plotH;
        if (h > 0) nodes.push(svg('rect', { x: (left + n * barW + 1).toFixed(1), y: (y - h).toFixed(1), width: Math.max(barW - 2, 1).toFixed(1), height: h.toFixed(1), class: p.tone }));
        y -= h;
      }
      const every = Math.ceil(keys.length / 6);
      if (n % every === 0) nodes.push(svg('text', { x: (left + n * barW + barW / 2).toFixed(1), y: height - bottom + 14, 'text-anchor': 'middle' }, byMonth ? k : k.slice(5)));
    });
    chart.replaceChildren(...nodes);
  }

  // ---- Emotions of a file --------------------------------------------------------------------------------------

  /** The emotions a file's answers can carry: the model's (/info), then any other an answer carried. */
  function emotionsOf(job) {
    const emotions = [...(state.info?.emotions ?? [])];
    for (const e of job.emotions) if (e && !emotions.includes(e.label)) emotions.push(e.label);
    return emotions;
  }

  const emotionParts = (job, indexes) => emotionsOf(job).map(label => ({
    name: emotionName(label), tone: emotionTone(label), count: indexes.filter(i => job.emotions[i]?.label === label).length,
  }));

  function renderEmotionCharts(job) {
    $('emotion-charts').hidden = !job.withEmotions;
    if (!job.withEmotions) return;
    const felt = job.emotions.filter(e => e);
    horizontalBars($('emo-dist-chart'), 'emoDistAria', emotionsOf(job).map(label => ({
      name: `${emotionEmoji(label)} ${emotionName(label)}`, tone: emotionTone(label), count: felt.filter(e => e.label === label).length,
    })), felt.length);
  }

  /** Emotion counts per day of the date column, with a legend: seven colours do not explain themselves. */
  function renderEmotionTrend(job) {
    const dated = datedRows(job);
    $('emo-trend-figure').hidden = dated.length === 0;
    if (dated.length) stackedColumns($('emo-trend-chart'), t('emoTrendTitle'), dated, indexes => emotionParts(job, indexes));
    $('emo-legend').replaceChildren(...emotionsOf(job).map(label => el('li', null,
      el('span', { class: 'swatch ' + emotionTone(label), 'aria-hidden': 'true' }), `${emotionEmoji(label)} ${emotionName(label)}`)));
  }

  /**
   * The labels a file's answers can carry, as the API answers them: the sides the model's classes stand for (all three
   * for a model of emotions, which answers by summing each side's), then any other label an answer carried.
   */
  function labelsOf(job) {
    const meanings = state.info?.labels ?? [];
    const labels = SIDES.filter(side => meanings.includes(side));
    if (!labels.length && state.info?.emotions?.length) labels.push(...SIDES);
    for (const r of job.results) if (r && !r.skipped && !labels.includes(r.label)) labels.push(r.label);
    return labels;
  }

  function renderFilter(job) {
    const select = $('filter');
    const options = [el('option', { value: '', text: t('all') }),
      ...labelsOf(job).map(l => el('option', { value: 'label:' + l, text: sideName(l) })),
      ...(job.withEmotions ? emotionsOf(job).map(e => el('option', { value: 'emotion:' + e, text: `${emotionEmoji(e)} ${emotionName(e)}` })) : [])];
    if (job.results.some(r => !r || r.skipped)) options.push(el('option', { value: 'skipped', text: t('skipped') }));
    select.replaceChildren(...options);
    select.value = state.filter;
    const confidence = $('confidence');
    confidence.replaceChildren(...[['', 'all'], ['high', 'confHigh'], ['mid', 'confMid'], ['low', 'confLow']]
      .map(([value, key]) => el('option', { value, text: t(key) })));
    confidence.value = state.confidence;
  }

  const CONFIDENCE = { high: s => s >= 0.9, mid: s => s >= 0.7 && s < 0.9, low: s => s < 0.7 };

  /** The rows the filters keep, in the chosen order: { index, cells, result }. */
  function visibleRows(job) {
    const { key, dir } = state.sort;
    const query = state.search.trim().toLowerCase();
    const filter = state.filter;
    const rows = job.rows.map((cells, index) => ({ index, cells, result: job.results[index], emotion: job.emotions[index] })).filter(r => {
      const analysed = r.result && !r.result.skipped;
      if (filter === 'skipped' ? analysed
        : filter.startsWith('emotion:') ? 'emotion:' + r.emotion?.label !== filter
        : filter && 'label:' + r.result?.label !== filter) return false;
      if (state.confidence && !(analysed && CONFIDENCE[state.confidence](r.result.score))) return false;
      return !query || r.cells.some(cell => cell.toLowerCase().includes(query));
    });
    const column = key.startsWith('col:') ? Number(key.slice(4)) : -1;
    const value = r => key === 'index' ? r.index : column >= 0 ? (r.cells[column] ?? '')
      : key === 'label' ? (r.result?.label ?? '\uffff') : key === 'emotion' ? (r.emotion?.label ?? '\uffff')
      : key === 'emotion_score' ? (r.emotion?.score ?? -1) : (r.result?.score ?? -1);
    return rows.sort((a, b) => {
      const x = value(a), y = value(b);
      return (x < y ? -1 : x > y ? 1 : a.index - b.index) * dir;
    });
  }

  function renderTable(job) {
    const { key, dir } = state.sort;
    // The file's own columns between the row number and the verdict, as in the download.
    const headers = [['index', t('colIndex')], ...job.columns.map((c, i) => ['col:' + i, c || `#${i + 1}`]),
      ['label', t('colLabel')], ['score', t('colScore')],
      ...(job.withEmotions ? [['emotion', t('colEmotion')], ['emotion_score', t('colEmotionScore')]] : [])];
    $('results-table').tHead.rows[0].replaceChildren(...headers.map(([sort, name]) => el('th', {
      scope: 'col', 'data-sort': sort, 'aria-sort': sort === key ? (dir > 0 ? 'ascending' : 'descending') : 'none',
    }, el('button', { type: 'button', text: name, onclick: () => sortBy(sort) }))));

    const rows = visibleRows(job);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const page = rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    $('results-table').tBodies[0].replaceChildren(...page.map(r => {
      const analysed = r.result && !r.result.skipped;
      const labelCell = analysed
        ? el('td', { class: 'label ' + (TONE[r.result.label] ?? ''), text: `${EMOJI[r.result.label] ?? ''} ${sideName(r.result.label)}`.trim() })
        : el('td', { class: 'skipped', text: r.result ? t(r.result.skipped, { max: state.info?.max_text_chars, line: r.result.line }) : t('skipped') });
      return el('tr', null,
        el('td', { class: 'num', text: String(r.index + 1) }),
        ...job.columns.map((_, c) => textCell(r.cells[c] ?? '')),
        labelCell,
        el('td', { class: 'num', text: analysed ? percent(r.result.score) : '' }),
        ...(job.withEmotions ? [
          el('td', { class: 'label', text: r.emotion ? `${emotionEmoji(r.emotion.label)} ${emotionName(r.emotion.label)}` : '' }),
          el('td', { class: 'num', text: r.emotion ? percent(r.emotion.score) : '' })] : []));
    }));
    $('page-note').textContent = t('pageNote', { total: job.rows.length, matched: rows.length, page: state.page + 1, pages });
    $('page-prev').disabled = state.page === 0;
    $('page-next').disabled = state.page >= pages - 1;
  }

  function sortBy(key) {
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : (key === 'score' || key === 'emotion_score' ? -1 : 1) };
    state.page = 0;
    renderTable(state.batch);
  }

  function textCell(text) {
    if (text.length <= TRUNCATE_AT) return el('td', { class: 'text', text });
    const span = el('span', { text: text.slice(0, TRUNCATE_AT) + '…' });
    const toggle = el('button', { type: 'button', class: 'link', 'aria-expanded': 'false', text: t('more') });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      span.textContent = open ? text : text.slice(0, TRUNCATE_AT) + '…';
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = t(open ? 'less' : 'more');
    });
    return el('td', { class: 'text' }, span, toggle);
  }

  // Charts are drawn at their on-screen width, one SVG unit to one CSS pixel, so their text is the same size on a
  // phone as on a desktop; both have the same height, so their cards line up.
  const CHART_HEIGHT = 180;
  const chartWidth = chart => Math.max(240, Math.round(chart.getBoundingClientRect().width) || 360);

  function renderDistribution(job) {
    const labels = labelsOf(job);
    const bars = labels.map(l => ({ name: sideName(l), count: job.results.filter(r => r && !r.skipped && r.label === l).length, tone: TONE[l] ?? 'other' }));
    const skipped = job.results.filter(r => !r || r.skipped).length;
    if (skipped) bars.push({ name: t('skipped'), count: skipped, tone: 'neu' });
    horizontalBars($('dist-chart'), 'distAria', bars, job.results.length);
  }

  /** One bar per { name, count, tone }, its count and share of total written after it. */
  function horizontalBars(chart, ariaKey, bars, total) {
    const width = chartWidth(chart), left = 96, right = 92;
    const rowHeight = Math.min(34, (CHART_HEIGHT - 8) / bars.length), barMax = width - left - right, barH = Math.min(20, rowHeight - 3);
    const top = (CHART_HEIGHT - bars.length * rowHeight) / 2;
    chart.setAttribute('viewBox', `0 0 ${width} ${CHART_HEIGHT}`);
    chart.setAttribute('aria-label', t(ariaKey, { parts: bars.map(b => `${b.name} ${b.count}`).join(', ') }));
    chart.replaceChildren(...bars.flatMap((b, i) => {
      const y = top + i * rowHeight, w = total ? Math.max(b.count / total * barMax, b.count ? 2 : 0) : 0, middle = y + rowHeight / 2;
      return [
        svg('text', { x: left - 8, y: middle, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, b.name),
        svg('rect', { x: left, y: (middle - barH / 2).toFixed(1), width: w.toFixed(1), height: barH.toFixed(1), rx: 3, class: b.tone }),
        svg('text', { x: left + w + 6, y: middle, 'dominant-baseline': 'middle', class: 'count' }, `${b.count} (${total ? (b.count / total * 100).toFixed(1) : 0}%)`),
      ];
    }));
  }

  function renderHistogram(job) {
    const scores = job.results.filter(r => r && !r.skipped).map(r => r.score);
    // From 50% (the least a side of two can hold) or, where the answers go lower, the 10% below the lowest.
    const low = Math.min(0.5, Math.floor(Math.min(1, ...scores) * 10) / 10), bins = 10, step = (1 - low) / bins;
    const counts = new Array(bins).fill(0);
    for (const s of scores) counts[Math.min(bins - 1, Math.max(0, Math.floor((s - low) / step)))]++;
    const chart = $('hist-chart');
    // Room on the left and right for the first and last axis labels ("50%", "100%"), which are centred on the edges.
    const width = chartWidth(chart), height = CHART_HEIGHT, left = 24, right = 24, bottom = 26;
    const plotW = width - left - right, plotH = height - bottom - 18;
    const most = Math.max(...counts, 1), barW = plotW / bins;
    chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const edge = i => Math.round((low + i * step) * 100);
    chart.setAttribute('aria-label', t('histAria', { parts: counts.map((c, i) => `${edge(i)}–${edge(i + 1)}%: ${c}`).join(', ') }));
    const nodes = [svg('line', { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: '#99a' })];
    counts.forEach((c, i) => {
      const h = c / most * plotH, x = left + i * barW;
      nodes.push(svg('rect', { x: (x + 1).toFixed(1), y: (height - bottom - h).toFixed(1), width: (barW - 2).toFixed(1), height: h.toFixed(1), class: 'other' }));
      if (c) nodes.push(svg('text', { x: (x + barW / 2).toFixed(1), y: (height - bottom - h - 4).toFixed(1), 'text-anchor': 'middle' }, String(c)));
    });
    for (let i = 0; i <= bins; i += 2)
      nodes.push(svg('text', { x: (left + i * barW).toFixed(1), y: height - 7, 'text-anchor': 'middle' }, `${edge(i)}%`));
    chart.replaceChildren(...nodes);
  }

  function csvField(value) {
    const text = String(value ?? '');
    return /[",\r\n]/.test(text) || text !== text.trim() ? '"' + text.replaceAll('"', '""') + '"' : text;
  }

  /** Why a row has no verdict, in the words of `zhsenti score`'s error column. */
  function rowError(result) {
    if (!result) return 'not analysed';
    if (result.skipped === 'skippedQuote') return `line ${result.line}: unterminated quoted field`;
    if (result.skipped === 'skippedLong') return `text over ${state.info?.max_text_chars} characters`;
    return result.skipped === 'skippedEmpty' ? 'empty text' : '';
  }

  const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;      // .NET's char.IsLetterOrDigit, one UTF-16 unit at a time
  const SPACES = /^[\p{Z}\t-\r\u0085]+|[\p{Z}\t-\r\u0085]+$/gu;  // what .NET's string.Trim() removes

  /**
   * prefix + each label with white space and punctuation as _ (star 1 → prob_star_1, 负面 → prob_负面), a name already
   * taken getting _2, _3…: `zhsenti score`'s rule (FileScorer.ColumnNames), step for step.
   */
  function columnNames(prefix, labels) {
    const names = [];
    for (const label of labels) {
      const trimmed = label.replace(SPACES, '');
      let safe = prefix;
      for (let i = 0; i < trimmed.length; i++) {
        if (LETTER_OR_DIGIT.test(trimmed[i])) safe += trimmed[i];
        else if (safe.at(-1) !== '_') safe += '_'; // a run of white space and punctuation is one _
      }
      const name = safe.replace(/_+$/, '');
      let unique = name;
      for (let n = 2; names.includes(unique); n++) unique = `${name}_${n}`;
      names.push(unique);
    }
    return names;
  }

  /**
   * The columns `zhsenti score` writes: the file's own, then label, score, prob_LABEL for every sentiment class under
   * the model's own label made column-safe, aspect_NAME for every aspect, with emotions (`score --emotion`) emotion,
   * emotion_score and emo_NAME for every emotion class, and error (a name the file already has gets _pred, as there).
   * UTF-8 with a BOM so that Excel reads Chinese.
   */
  function download() {
    const job = state.batch;
    if (!job) return;
    // The classes /v1/sentiment listed (the model's sentiment classes, in its order), whichever answer tells them.
    const classes = job.results.find(r => r && !r.skipped)?.probabilities.map(p => p.label) ?? state.info?.model_labels ?? [];
    const aspects = job.analyses.find(a => a)?.aspects.map(a => a.name) ?? [];
    const emotions = job.withEmotions ? job.emotions.find(e => e)?.emotions.map(e => e.label) ?? state.info?.emotions ?? [] : null;
    const added = ['label', 'score', ...columnNames('prob_', classes), ...aspects.map(a => 'aspect_' + a),
      ...(emotions ? ['emotion', 'emotion_score', ...columnNames('emo_', emotions)] : []), 'error'];
    for (let i = 0; i < added.length; i++)
      while (job.columns.includes(added[i]) || added.indexOf(added[i]) < i) added[i] += '_pred';
    const emotionCells = e => !emotions ? [] : e ? [e.label, e.score, ...emotions.map((_, c) => e.emotions[c]?.score ?? '')] : ['', '', ...emotions.map(() => '')];
    const lines = [[...job.columns, ...added].map(csvField).join(',')];
    job.rows.forEach((cells, i) => {
      const r = job.results[i];
      const original = job.columns.map((_, c) => cells[c] ?? '');
      const verdict = r && !r.skipped
        ? [r.label, r.score, ...classes.map((_, c) => r.probabilities[c]?.score ?? ''),
          ...aspects.map((_, k) => job.analyses[i]?.aspects[k].label ?? ''), ...emotionCells(job.emotions[i]), '']
        : ['', '', ...classes.map(() => ''), ...aspects.map(() => ''), ...emotionCells(null), rowError(r)];
      lines.push([...original, ...verdict].map(csvField).join(','));
    });
    const blob = new Blob(['\uFEFF' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `${job.name}-sentiment.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  // ---- Language and wiring -------------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('pageTitle');
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
    const toggle = $('lang');
    toggle.textContent = state.lang === 'zh' ? 'English' : '中文';
    toggle.lang = state.lang === 'zh' ? 'en' : 'zh-CN';
    if (state.file) $('file-summary').textContent = fileSummary();
    renderInfo();
    renderResult();
    renderHistory();
    if (!state.controller) renderBatch();
  }

  function init() {
    $('lang').addEventListener('click', () => {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem(LANG_STORE, state.lang);
      applyLanguage();
    });
    $('analyze').addEventListener('click', analyzeOne);
    $('text').addEventListener('keydown', e => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyzeOne(); }
    });
    $('lines').addEventListener('keydown', e => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); if (!$('analyze-lines').disabled) analyzeLines(); }
    });
    $('examples').replaceChildren(...EXAMPLES.map(text => el('li', null, el('button', {
      type: 'button', text,
      onclick: () => { $('text').value = text; analyzeOne(); },
    }))));
    $('clear-history').addEventListener('click', () => { localStorage.removeItem(HISTORY_STORE); renderHistory(); });
    $('analyze-lines').addEventListener('click', analyzeLines);
    $('file').addEventListener('change', onFileChosen);
    $('analyze-file').addEventListener('click', analyzeFile);
    $('cancel').addEventListener('click', () => state.controller?.abort());
    $('column').addEventListener('change', onColumnChosen);
    const refilter = change => () => { change(); state.page = 0; renderTable(state.batch); };
    $('filter').addEventListener('change', refilter(() => { state.filter = $('filter').value; }));
    $('confidence').addEventListener('change', refilter(() => { state.confidence = $('confidence').value; }));
    $('search').addEventListener('input', refilter(() => { state.search = $('search').value; }));
    $('page-prev').addEventListener('click', () => { state.page--; renderTable(state.batch); });
    $('page-next').addEventListener('click', () => { state.page++; renderTable(state.batch); });
    $('group-column').addEventListener('change', () => renderGroupChart(state.batch));
    $('date-column').addEventListener('change', () => renderTrendChart(state.batch));
    // An error is about what was there when it was shown; editing the input retires it.
    $('text').addEventListener('input', () => showError('single-error', ''));
    $('lines').addEventListener('input', () => showError('batch-error', ''));
    let resize = 0;
    window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(renderCharts, 150); });
    $('download').addEventListener('click', download);
    $('api-key').value = state.apiKey;
    $('key-save').addEventListener('click', saveKey);
    $('api-key').addEventListener('keydown', e => { if (e.key === 'Enter') saveKey(); });
    $('model-pick').addEventListener('change', chooseModel);
    applyLanguage();
    loadModels();
    loadInfo();
  }

  init();
})();
