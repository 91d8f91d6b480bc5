if (args.Length > 0 && args[0] == "faces") { Convolve.Bench.FacesBench.Run(args[1..]); return; }
System.Console.WriteLine("bench");
