// Package jupyter is a small Jupyter messaging-protocol client (protocol version 5.3) over
// ZeroMQ, written for testing and driving kernels from Go without Python.
//
// It covers what a notebook front end needs to run cells:
//
//   - connection files ([ConnectionInfo]: ports, transport, HMAC key) and kernelspecs
//     ([FindKernelSpec]: kernel.json in the Jupyter data and path directories);
//   - the wire format ([Signer]: HMAC-SHA256 signing and verification of
//     header‖parent_header‖metadata‖content; messages from the kernel with a bad signature are
//     dropped and counted, see [Client.Rejected]);
//   - the shell, iopub and control channels ([Client]): kernel_info, execute (collecting
//     stream, display_data, update_display_data, execute_result and error outputs until the
//     kernel reports idle), interrupt and shutdown;
//   - starting a kernel process from its kernelspec ([StartKernel]).
//
// A typical use:
//
//	spec, err := jupyter.FindKernelSpec("logah")
//	k, err := jupyter.StartKernel(ctx, spec, jupyter.StartOptions{})
//	defer k.Close()
//	info, err := k.Client.WaitReady(ctx)
//	res, err := k.Client.Execute(ctx, `%%
//	fmt.Println("hello")`, jupyter.ExecuteOptions{})
//	fmt.Print(res.Stdout())
//
// The stdin and heartbeat channels are not used: cells cannot ask for input
// (allow_stdin is false) and liveness is judged from the kernel process.
package jupyter
