namespace ZhSentiment.Training;

/// <summary>
/// What a teacher model thinks of one text, in the compact model's terms: <paramref name="Positive"/>, the positive
/// share of its polar probability, P(positive) / (P(positive) + P(negative)); <paramref name="Subjective"/>,
/// 1 − P(neutral), or null when the teacher has no neutral class.
/// </summary>
public readonly record struct TeacherOpinion(float Positive, float? Subjective);
