namespace ZhSentiment.Checkpoints;

/// <summary>Element types a checkpoint may hold.</summary>
public enum TensorDType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }
