// RUN: ptm-opt %s --ptm-update-parameters-in-place --split-input-file --verify-diagnostics
// ptm-update-parameters-in-place refuses updates it cannot write.

// expected-error @below {{result #0 updates parameter 'v', which the entry does not take}}
func.func @unknown(%w: memref<4xf32> {ptm.parameter = "w"})
    -> (memref<4xf32> {ptm.output = "v", ptm.updates_parameter}) attributes {ptm.entry} {
  return %w : memref<4xf32>
}

// -----

// expected-error @below {{result #0 updates parameter 'w', which is read-only}}
func.func @read_only(%w: memref<4xf32> {bufferization.writable = false, ptm.parameter = "w"})
    -> (memref<4xf32> {ptm.output = "w", ptm.updates_parameter}) attributes {ptm.entry} {
  %new = memref.alloc() : memref<4xf32>
  return %new : memref<4xf32>
}

// -----

// expected-error @below {{result #0 updates a parameter but has no ptm.output name}}
func.func @unnamed(%w: memref<4xf32> {ptm.parameter = "w"})
    -> (memref<4xf32> {ptm.updates_parameter}) attributes {ptm.entry} {
  return %w : memref<4xf32>
}
