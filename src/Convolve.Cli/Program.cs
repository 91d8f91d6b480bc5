System.Console.WriteLine("convolve");
