// RUN: ptm-opt %s -split-input-file -verify-diagnostics --ptm-emit-entry-abi | FileCheck %s
// ptm-emit-entry-abi: each llvm.func marked ptm.entry gets a wrapper
//   void ptm_entry_<name>(void **buffers, const PtmRuntimeCallbacks *cb)
// that loads argument i from buffers[i] and calls it; the entry itself
// becomes internal so that only wrappers are exported.

// CHECK-LABEL: llvm.func internal @forward
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// Functions without the attribute are left alone and get no wrapper.
// CHECK: llvm.func @helper(
// CHECK-LABEL: llvm.func @ptm_entry_forward
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr, %[[CALLBACKS:.*]]: !llvm.ptr) {
// CHECK-NEXT: %[[S0:.*]] = llvm.getelementptr %[[BUFFERS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[A0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[S1:.*]] = llvm.getelementptr %[[BUFFERS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[A1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[S2:.*]] = llvm.getelementptr %[[BUFFERS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[A2:.*]] = llvm.load %[[S2]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: llvm.call @forward(%[[A0]], %[[A1]], %[[A2]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: llvm.return
// CHECK-NOT: ptm_entry_helper
module {
  llvm.func @forward(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr) attributes {ptm.entry} {
    llvm.return
  }
  llvm.func @helper(%arg0: !llvm.ptr) {
    llvm.return
  }
}

// -----

// Two entries, one without arguments: a wrapper for each.
// CHECK-LABEL: llvm.func internal @init()
// CHECK-LABEL: llvm.func internal @step
// CHECK-LABEL: llvm.func @ptm_entry_init
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: llvm.getelementptr
// CHECK: llvm.call @init() : () -> ()
// CHECK-LABEL: llvm.func @ptm_entry_step
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[BUFFERS]][0]
// CHECK: %[[A0:.*]] = llvm.load %[[S0]]
// CHECK: llvm.call @step(%[[A0]]) : (!llvm.ptr) -> ()
module {
  llvm.func @init() attributes {ptm.entry} {
    llvm.return
  }
  llvm.func @step(%arg0: !llvm.ptr) attributes {ptm.entry} {
    llvm.return
  }
}

// -----

// When the module runs loops on the runtime's thread pool, the wrapper first
// stores the callback table where the outlined loops find it.
// CHECK-LABEL: llvm.func @ptm_entry_parallel
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr, %[[CALLBACKS:.*]]: !llvm.ptr)
// CHECK-NEXT: %[[SLOT:.*]] = llvm.mlir.addressof @ptm_runtime_callbacks : !llvm.ptr
// CHECK-NEXT: llvm.store %[[CALLBACKS]], %[[SLOT]] : !llvm.ptr, !llvm.ptr
// CHECK: llvm.call @parallel(
module {
  llvm.mlir.global internal @ptm_runtime_callbacks() : !llvm.ptr {
    %0 = llvm.mlir.zero : !llvm.ptr
    llvm.return %0 : !llvm.ptr
  }
  llvm.func @parallel(%arg0: !llvm.ptr) attributes {ptm.entry} {
    llvm.return
  }
}

// -----

// Without that global, the callback table is not touched.
// CHECK-LABEL: llvm.func @ptm_entry_serial
// CHECK-NOT: llvm.store
// CHECK: llvm.call @serial(
module {
  llvm.func @serial(%arg0: !llvm.ptr) attributes {ptm.entry} {
    llvm.return
  }
}

// -----

module {
  // expected-error @+1 {{entry 'scalar' has a non-buffer argument 'i64'; entries must take statically shaped buffers only}}
  llvm.func @scalar(%arg0: !llvm.ptr, %arg1: i64) attributes {ptm.entry} {
    llvm.return
  }
}

// -----

module {
  // expected-error @+1 {{entry 'returns' returns a value; outputs must be out-parameters}}
  llvm.func @returns(%arg0: !llvm.ptr) -> f32 attributes {ptm.entry} {
    %0 = llvm.mlir.constant(0.0 : f32) : f32
    llvm.return %0 : f32
  }
}

// -----

module {
  // expected-error @+1 {{entry 'declared' has no body}}
  llvm.func @declared(!llvm.ptr) attributes {ptm.entry}
}

// -----

module {
  // expected-error @+1 {{entry 'twice' already has a wrapper 'ptm_entry_twice'}}
  llvm.func @twice(%arg0: !llvm.ptr) attributes {ptm.entry} {
    llvm.return
  }
  llvm.func @ptm_entry_twice(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
    llvm.return
  }
}
