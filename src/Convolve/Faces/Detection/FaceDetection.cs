namespace Convolve.Faces.Detection;

/// <summary>One detected face: its box in the image's pixels (not clipped to the image) and the detector's score (0..1).</summary>
public sealed record FaceDetection(FaceBox Box, float Score);
