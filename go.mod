module icl

go 1.26.8
